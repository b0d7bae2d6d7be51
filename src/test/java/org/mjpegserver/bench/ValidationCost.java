package org.mjpegserver.bench;

import java.io.File;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.mjpegserver.config.ImageSettings;
import org.mjpegserver.config.Validation;
import org.mjpegserver.image.FrameValidator;
import org.mjpegserver.image.InvalidImageException;
import org.mjpegserver.image.JpegCodec;

/**
 * What judging one of the benchmark's frames (1280x720, about 100 KB) costs each way {@code valid_jpeg} could, in
 * CPU time of this thread, side by side in rounds so that load from elsewhere falls on every way alike:
 * <pre>
 * mvn -q test-compile org.codehaus.mojo:exec-maven-plugin:3.5.0:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=org.mjpegserver.bench.ValidationCost
 * </pre>
 * The floors are what no check can go below: reading every byte once, and the plainest decode of every Huffman code.
 * {@code -Dbench.jvmOptions="-XX:TieredStopAtLevel=1"} measures in a JVM of its own started with those options (that
 * one is the Docker image's: the quick compiler only), {@code -Dbench.checks=valid_jpeg,floor} only the checks whose
 * names contain one of those words.
 */
public final class ValidationCost {

    private static final int FRAMES = 8;
    private static final int ROUNDS = Integer.getInteger("bench.rounds", 15);
    private static final long MAX_PIXELS = ImageSettings.DEFAULTS.maxImagePixels();

    private interface Check {
        long run(byte[] frame) throws InvalidImageException;
    }

    private ValidationCost() {
    }

    public static void main(String[] args) throws Exception {
        String jvmOptions = System.getProperty("bench.jvmOptions", "").trim();
        if (!jvmOptions.isEmpty()) {
            System.exit(inChildJvm(jvmOptions));
        }
        List<byte[]> frames = FramePool.generate(FRAMES, 100_000);
        FrameValidator changing = validator();
        FrameValidator repeating = validator();
        Map<String, Check> checks = new LinkedHashMap<>();
        checks.put("full decode in colour (conversion's decode)", frame -> JpegCodec.decode(frame, true, MAX_PIXELS).getWidth());
        checks.put("full decode into grey (valid_jpeg before)", frame -> {
            JpegCodec.verifyJpeg(frame, MAX_PIXELS);
            return 1;
        });
        checks.put("valid_jpeg now, a new frame each time", frame -> changing.validate(frame).length);
        // As a camera whose picture has not changed: equal bytes, fetched into a new array each time.
        byte[] again = frames.get(0).clone();
        repeating.validate(frames.get(0));
        checks.put("valid_jpeg now, the same frame again", frame -> repeating.validate(again).length);
        checks.put("floor: read every byte once", ValidationCost::readEveryByte);
        checks.put("floor: plainest Huffman pass", PlainHuffmanPass::run);
        String only = System.getProperty("bench.checks", "").trim();
        if (!only.isEmpty()) {
            checks.keySet().removeIf(name -> Arrays.stream(only.split(",")).noneMatch(word -> name.contains(word.trim())));
        }

        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        Map<String, long[]> nanos = new LinkedHashMap<>();
        checks.keySet().forEach(name -> nanos.put(name, new long[ROUNDS]));
        long sink = 0;
        for (int round = -3; round < ROUNDS; round++) { // three rounds to warm up the JIT
            for (Map.Entry<String, Check> check : checks.entrySet()) {
                int repeats = check.getKey().startsWith("full") ? 4 : 40;
                long start = threads.getCurrentThreadCpuTime();
                for (int i = 0; i < repeats; i++) {
                    for (byte[] frame : frames) {
                        sink += check.getValue().run(frame);
                    }
                }
                if (round >= 0) {
                    nanos.get(check.getKey())[round] = (threads.getCurrentThreadCpuTime() - start) / (repeats * FRAMES);
                }
            }
        }
        // The ratios are to the check valid_jpeg replaced, or to the first one measured when that one is left out.
        double baseline = median(nanos.getOrDefault("full decode into grey (valid_jpeg before)", nanos.values().iterator().next()));
        System.out.printf("CPU time per %dx%d frame of %d KB on average, median of %d rounds (%s %s), load average %s%n",
                FramePool.WIDTH, FramePool.HEIGHT, frames.stream().mapToInt(f -> f.length).sum() / FRAMES / 1000, ROUNDS,
                Runtime.version(), String.join(" ", ManagementFactory.getRuntimeMXBean().getInputArguments().stream().filter(o -> o.startsWith("-XX")).toList()), loadAverage());
        for (Map.Entry<String, long[]> entry : nanos.entrySet()) {
            double median = median(entry.getValue());
            System.out.printf("  %-45s %9.1f us  %6.3fx%n", entry.getKey(), median / 1e3, median / baseline);
        }
        if (sink == 42) {
            System.out.println(); // keeps the work observable, so the JIT cannot drop it
        }
    }

    private static FrameValidator validator() {
        ImageSettings d = ImageSettings.DEFAULTS;
        return new FrameValidator(new ImageSettings(d.streamFps(), d.fetchMinimumFps(), d.fetchMaximumFps(),
                d.imageTimeout(), d.imageTimeoutBehavior(), Validation.VALID_JPEG, d.ignoreCertificateErrors(),
                d.staleImagePath(), d.fetchAgentString(), d.maxImageBytes(), d.maxImagePixels(), d.accessToken(),
                d.readTimeout(), d.closeAfterLastViewer()));
    }

    /** Runs this class again in a child JVM with the given options and the same classpath and properties. */
    private static int inChildJvm(String jvmOptions) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(Arrays.asList(jvmOptions.split("\\s+")));
        for (String property : List.of("bench.rounds", "bench.checks")) {
            if (System.getProperty(property) != null) {
                command.add("-D" + property + "=" + System.getProperty(property));
            }
        }
        command.add("-cp");
        command.add(classpath());
        command.add(ValidationCost.class.getName());
        return new ProcessBuilder(command).inheritIO().start().waitFor();
    }

    /**
     * This JVM's classpath; under {@code exec:java} the classes come from a class loader of the plugin's own, so its
     * URLs are taken when the system class path does not hold this class.
     */
    private static String classpath() {
        if (ClassLoader.getSystemClassLoader() == ValidationCost.class.getClassLoader()) {
            return System.getProperty("java.class.path");
        }
        List<String> entries = new ArrayList<>();
        for (URL url : ((URLClassLoader) ValidationCost.class.getClassLoader()).getURLs()) {
            try {
                entries.add(Path.of(url.toURI()).toString());
            } catch (URISyntaxException e) {
                throw new IllegalStateException(e);
            }
        }
        return String.join(File.pathSeparator, entries);
    }

    private static long readEveryByte(byte[] frame) {
        long markers = 0;
        for (byte b : frame) {
            if (b == (byte) 0xFF) {
                markers++;
            }
        }
        return markers;
    }

    private static double median(long[] values) {
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    private static String loadAverage() {
        try {
            return String.join(" ", new ArrayList<>(Arrays.asList(
                    java.nio.file.Files.readString(Path.of("/proc/loadavg")).split(" "))).subList(0, 3));
        } catch (java.io.IOException e) {
            return "unknown";
        }
    }
}

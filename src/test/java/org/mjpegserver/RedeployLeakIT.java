package org.mjpegserver;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mjpegserver.ResourceProbe.eventually;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.ref.WeakReference;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.function.Predicate;
import org.apache.catalina.Context;
import org.junit.jupiter.api.Test;
import org.mjpegserver.ResourceProbe.Snapshot;
import org.mjpegserver.testing.Deployments;
import org.mjpegserver.testing.FakeCamera;
import org.mjpegserver.testing.Http;
import org.mjpegserver.testing.MjpegReader;
import org.mjpegserver.testing.Routes;
import org.mjpegserver.testing.TestImages;
import org.mjpegserver.testing.LogCapture;

/**
 * Undeploys and redeploys the real WAR 20 times (-Dredeploy.cycles=N) in one Tomcat while streams are open, as an operator
 * updating the server would, and checks that each undeploy ends the streams and leaves nothing behind: no thread,
 * no class loader, no file descriptor, no heap growth, and nothing for Tomcat's own leak detection to report.
 */
final class RedeployLeakIT {

    private static final int CYCLES = Math.max(5, Integer.getInteger("redeploy.cycles", 20));
    private static final int STREAMS_PER_IMAGE = 2;
    private static final int FRAMES_BEFORE_UNDEPLOY = 3;
    /** How long a viewer may wait, from the start of the undeploy, for its stream to end. */
    private static final long STREAM_END_LIMIT_MILLIS = 5_000;
    private static final long HEAP_GROWTH_LIMIT = 20L * 1024 * 1024;
    private static final String[] IMAGES = {"pattern", "camera"};
    /** The test's own threads: the viewers below, the fake camera's request pool and the JDK HTTP client's. */
    private static final Predicate<String> TEST_THREADS = name -> name.startsWith("redeploy-viewer-") || name.equals("fake-camera") || name.startsWith("HttpClient-");

    @Test
    void redeployingWithOpenStreamsLeavesNoThreadClassLoaderFileOrHeapBehind() throws Exception {
        String previousConfig = System.getProperty(ConfigLocator.PROPERTY);
        try (FakeCamera camera = FakeCamera.http();
                LogCapture log = LogCapture.of("org.apache.catalina", "org.apache.coyote", "org.apache.tomcat").minimum(Level.WARNING);
                EmbeddedTomcat tomcat = EmbeddedTomcat.start(Integer.getInteger("redeploy.port", 0))) {
            camera.serve("/snapshot.jpg", Routes.sequence(List.of(
                    TestImages.jpeg(160, 120, "one"), TestImages.jpeg(160, 120, "two"), TestImages.jpeg(160, 120, "three"))));
            EmbeddedTomcat.useConfig(Deployments.writeConfig("""
                    mjpeg-server:
                      stream_fps: 20
                      fetch_maximum_fps: 20
                      image_timeout_seconds: 2
                    images:
                      pattern:
                        url: "testpattern:160x120"
                      camera:
                        url: "%s"
                    """.formatted(camera.url("/snapshot.jpg"))));
            Path war = EmbeddedTomcat.war();
            List<WeakReference<ClassLoader>> loaders = new ArrayList<>();

            // Cycle 0 warms up what the JVM starts once and keeps (Java2D's disposer thread, ImageIO's registry):
            // not a per-deployment leak. Its class loader is tracked like every other.
            System.out.println(Cycle.HEADER);
            System.out.println(cycle(0, tomcat, war, loaders));
            Snapshot baseline = Snapshot.take(TEST_THREADS);
            var baselineThreads = ResourceProbe.threadCensus();
            var baselineFiles = ResourceProbe.openFilesCensus();
            System.out.println("baseline after warm-up: " + baseline);
            long heapAtCycle5 = 0;
            for (int i = 1; i <= CYCLES; i++) {
                Cycle cycle = cycle(i, tomcat, war, loaders);
                System.out.println(cycle);
                if (i == 5) {
                    heapAtCycle5 = ResourceProbe.heapAfterGc();
                }
            }

            // (a) threads: none of ours, and the rest as before.
            boolean noServerThreads = eventually(10_000, () -> ResourceProbe.threadNames().stream().noneMatch(n -> n.startsWith("mjpeg-")));
            boolean threadsFlat = eventually(10_000, () -> Snapshot.take(TEST_THREADS).threadsOutsidePool() <= baseline.threadsOutsidePool());
            // (b) class loaders: every undeployed webapp's can be collected, the last one too.
            boolean loadersCollected = eventually(20_000, () -> {
                ResourceProbe.heapAfterGc();
                return loaders.stream().allMatch(ref -> ref.get() == null);
            });
            long uncollected = loaders.stream().filter(ref -> ref.get() != null).count();
            dumpHeapIfAsked();
            // (c) Tomcat's own leak detection.
            List<String> tomcatLeaks = tomcat.findLeaks();
            List<String> leakWarnings = log.texts().stream().filter(RedeployLeakIT::aboutLeaks).toList();
            // (d) and (e).
            boolean filesFlat = eventually(10_000, () -> ResourceProbe.openFiles() <= baseline.openFiles() + 2);
            Snapshot end = Snapshot.take(TEST_THREADS);
            long heapAtCycle20 = end.heapAfterGcBytes();
            System.out.printf(Locale.ROOT, "end: %s; heap after GC at cycle 5 %.1f MB, at cycle %d %.1f MB; class loaders not collected: %d of %d%n",
                    end, heapAtCycle5 / 1048576.0, CYCLES, heapAtCycle20 / 1048576.0, uncollected, loaders.size());
            System.out.println("Tomcat warnings during the run: " + log.texts());

            long heap5 = heapAtCycle5;
            assertAll(
                    () -> assertTrue(noServerThreads, () -> "mjpeg- threads survived: " + ResourceProbe.threadNames()),
                    () -> assertTrue(threadsFlat, () -> "threads outside Tomcat's request pool: " + end.threadsOutsidePool()
                            + " vs " + baseline.threadsOutsidePool() + " at the start; before " + baselineThreads
                            + ", after " + ResourceProbe.threadCensus()),
                    () -> assertTrue(end.threads() <= baseline.threads() + 10, () -> "threads: " + end.threads()
                            + " vs " + baseline.threads() + ": " + ResourceProbe.threadCensus()),
                    () -> assertTrue(loadersCollected, () -> uncollected + " of " + loaders.size()
                            + " webapp class loaders were not collected"),
                    () -> assertTrue(tomcatLeaks.isEmpty(), () -> "Tomcat's find-leaks lists " + tomcatLeaks.size()
                            + " undeployed webapp(s) still in memory (\"\" is the root context): " + tomcatLeaks),
                    () -> assertEquals(List.of(), leakWarnings, "Tomcat warned about leaks"),
                    () -> assertTrue(filesFlat, () -> "open files: " + ResourceProbe.openFiles() + " vs " + baseline.openFiles()
                            + "; before " + baselineFiles + ", after " + ResourceProbe.openFilesCensus()),
                    () -> assertTrue(heapAtCycle20 - heap5 <= HEAP_GROWTH_LIMIT, () -> String.format(Locale.ROOT,
                            "heap after GC grew from %.1f MB (cycle 5) to %.1f MB (cycle %d)", heap5 / 1048576.0,
                            heapAtCycle20 / 1048576.0, CYCLES)));
        } finally {
            if (previousConfig == null) {
                System.clearProperty(ConfigLocator.PROPERTY);
            } else {
                System.setProperty(ConfigLocator.PROPERTY, previousConfig);
            }
        }
    }

    /**
     * With -Dredeploy.heapdump=FILE, writes the live heap at the end of the run to FILE (an .hprof file), so that a
     * class loader that was not collected can be traced from a GC root to the loader in a heap analyser.
     */
    private static void dumpHeapIfAsked() throws IOException {
        String file = System.getProperty("redeploy.heapdump");
        if (file != null) {
            ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class).dumpHeap(file, true);
            System.out.println("heap dumped to " + file);
        }
    }

    /**
     * What Tomcat's class loader and context say when a webapp leaves something behind. Not Tomcat's own utility
     * thread: when its periodic background check of the context happens to run during the undeploy, it holds
     * the webapp's class loader as its context loader for that moment, and the leak check names it.
     */
    private static boolean aboutLeaks(String line) {
        if (line.contains("started a thread named [Catalina-utility-") && line.contains("StandardContext.backgroundProcess")) {
            return false;
        }
        String text = line.toLowerCase(Locale.ROOT);
        return text.contains("leak") || text.contains("thread") || text.contains("threadlocal")
                || text.contains("failed to stop") || text.contains("failed to deregister") || text.contains("timer");
    }

    /**
     * Deploys, opens streams of both images, undeploys while they are open, and checks that each viewer got its
     * frames and then a clean end of stream. The Context is only held here, so nothing in the test pins it.
     */
    private static Cycle cycle(int number, EmbeddedTomcat tomcat, Path war, List<WeakReference<ClassLoader>> loaders)
            throws InterruptedException {
        long started = System.nanoTime();
        Context context = tomcat.deploy(war);
        loaders.add(new WeakReference<>(context.getLoader().getClassLoader()));
        long deployed = System.nanoTime();

        CountDownLatch streaming = new CountDownLatch(IMAGES.length * STREAMS_PER_IMAGE);
        List<Viewer> viewers = new ArrayList<>();
        for (String image : IMAGES) {
            for (int i = 0; i < STREAMS_PER_IMAGE; i++) {
                Viewer viewer = new Viewer(tomcat.base() + "images/" + image + "/stream", streaming,
                        "redeploy-viewer-" + number + "-" + image + "-" + i);
                viewers.add(viewer);
                viewer.start();
            }
        }
        assertTrue(streaming.await(20, TimeUnit.SECONDS), () -> "cycle " + number + ": streams did not start: " + viewers);
        // The JSON side too, as a dashboard polling the list would: Jersey and Jackson run on Tomcat's threads.
        for (String path : List.of("images", "health", "metrics", "images/camera")) {
            assertEquals(200, Http.get(tomcat.base() + path).statusCode(), () -> "cycle " + number + ": GET /" + path);
        }
        viewers.forEach(viewer -> assertEquals(null, viewer.failure, () -> "cycle " + number + ": " + viewer));

        long undeployStarted = System.nanoTime();
        tomcat.undeploy(context);
        long undeployed = System.nanoTime();
        long slowestEnd = 0;
        for (Viewer viewer : viewers) {
            viewer.join(STREAM_END_LIMIT_MILLIS + 15_000);
            assertTrue(viewer.endedNanos != 0, () -> "cycle " + number + ": stream still open after the undeploy: " + viewer);
            assertEquals(null, viewer.failure, () -> "cycle " + number + ": stream did not end cleanly: " + viewer);
            slowestEnd = Math.max(slowestEnd, viewer.endedNanos - undeployStarted);
        }
        long slowest = slowestEnd;
        assertTrue(slowest <= STREAM_END_LIMIT_MILLIS * 1_000_000, () -> "cycle " + number + ": a viewer saw its stream end "
                + slowest / 1_000_000 + " ms after the undeploy began");
        return new Cycle(number, (deployed - started) / 1_000_000, (undeployed - undeployStarted) / 1_000_000,
                slowest / 1_000_000, ResourceProbe.threadNames().size(), ResourceProbe.openFiles());
    }

    private record Cycle(int number, long deployMillis, long undeployMillis, long slowestStreamEndMillis, int threads, int openFiles) {
        static final String HEADER = "cycle  deploy ms  undeploy ms  last stream end ms  threads  open files";

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%5d  %9d  %11d  %18d  %7d  %10d", number, deployMillis, undeployMillis,
                    slowestStreamEndMillis, threads, openFiles);
        }
    }

    /** Reads a few frames, tells the test, then reads on until the server ends the stream. */
    private static final class Viewer extends Thread {
        private final String url;
        private final CountDownLatch streaming;
        private volatile int frames;
        private volatile long endedNanos;
        private volatile String failure;

        Viewer(String url, CountDownLatch streaming, String name) {
            super(name);
            setDaemon(true);
            this.url = url;
            this.streaming = streaming;
        }

        @Override
        public void run() {
            try (MjpegReader reader = MjpegReader.open(url)) {
                reader.read(FRAMES_BEFORE_UNDEPLOY);
                frames = FRAMES_BEFORE_UNDEPLOY;
                streaming.countDown();
                while (reader.next() != null) {
                    frames++;
                }
                endedNanos = System.nanoTime();
            } catch (IOException | RuntimeException e) {
                failure = e.toString();
                endedNanos = System.nanoTime();
                streaming.countDown();
            }
        }

        @Override
        public String toString() {
            return url + ": " + frames + " frames" + (failure == null ? "" : ", failed: " + failure);
        }
    }
}

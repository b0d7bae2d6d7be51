package org.mjpegserver.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.mjpegserver.testing.DockerImage;

/**
 * The many-cameras benchmark: what each polled camera costs, the common case of 5 to 50 cameras with a viewer or
 * two each. N images, each polling its own loopback camera URL at F fps, V viewers per image at the stream rate;
 * for each {@code image_validation} mode it reports the fetches per second achieved against those asked, the
 * server's CPU per fetched frame and in all, split by thread group ({@link CpuSplit}), its RSS, live heap and
 * threads. With {@code bench.baselineWar} each run is repeated right after against that WAR, side by side.
 * <p>
 * The server runs in {@link BenchServer} with the JVM's stock options (as a WAR dropped into a Tomcat would), or
 * with {@code -Dbench.tomcat=distribution} in the Tomcat distribution started by {@code catalina.sh run}: once as
 * it comes (stock) and once with the Docker image's {@code setenv.sh} (or others), where it also measures the
 * default config idle. Reached with {@code -Pbench -Dbench.scenario=cameras}. Properties: {@code bench.cameras} (20,50),
 * {@code bench.cameraFps} (5), {@code bench.viewersPerImage} (1), {@code bench.viewerFps} (5),
 * {@code bench.validations} (valid_jpeg,none,zero_bytes,conversion), {@code bench.warmupSeconds} (10),
 * {@code bench.measureSeconds} (15), {@code bench.baselineWar}, {@code bench.serverJvmOptions},
 * {@code bench.tomcat} (embedded | distribution), {@code bench.tomcatHome}, {@code bench.setenv} (setenv.sh files to
 * compare, comma-separated, {@code stock} for none; stock,src/main/docker/setenv.sh), {@code bench.floor} (false skips {@link FetchFloor}), {@code bench.jfr}.
 */
final class ManyCameras {

    private static final String DEFAULT_VALIDATIONS = "valid_jpeg,none,zero_bytes,conversion";

    /** A server to measure: a WAR and how it is started. */
    private record Variant(String name, Path war, List<String> jvmOptions, Path setenv) {
    }

    /** One measured run. */
    private record Result(Variant variant, String validation, int cameras, double asked, double fetched,
            double viewerFps, double cpuNanos, double seconds, Map<String, Double> split, long rssKb, long heapKb,
            long threads, double machineIdle) {

        double cpuMillisPerFetch() {
            return fetched == 0 ? Double.NaN : cpuNanos / 1e6 / (fetched * seconds);
        }

        double cpuPercent() {
            return 100 * cpuNanos / (seconds * 1e9);
        }

        /**
         * The same without the JIT compilers' threads: at 5 fetches a second a fetch's methods take minutes to reach
         * the optimising compiler's thresholds, so a run of a minute still pays for compiling that a server running
         * for days has long finished. What a long-running server costs per fetch.
         */
        double steadyMillisPerFetch() {
            return cpuMillisPerFetch() * (1 - split.get("jit") / 100);
        }
    }

    /** The default config with nobody watching. */
    private record Idle(Variant variant, long rssKb, long heapKb, long threads, double cpuPercent) {
    }

    private final int[] cameraCounts = Arrays.stream(Benchmark.text("bench.cameras", "20,50").split(","))
            .map(String::trim).mapToInt(Integer::parseInt).toArray();
    private final double cameraFps = Benchmark.number("bench.cameraFps", 5);
    private final int viewersPerImage = (int) Benchmark.number("bench.viewersPerImage", 1);
    private final double viewerFps = Benchmark.number("bench.viewerFps", 5);
    private final List<String> validations = Arrays.stream(Benchmark.text("bench.validations", DEFAULT_VALIDATIONS)
            .split(",")).map(String::trim).toList();
    private final double warmupSeconds = Benchmark.number("bench.warmupSeconds", 10);
    private final double measureSeconds = Benchmark.number("bench.measureSeconds", 15);
    private final boolean distribution = "distribution".equals(Benchmark.text("bench.tomcat", "embedded"));
    private final Path tomcatHome = Path.of(Benchmark.text("bench.tomcatHome", "target/tomcat-dist/apache-tomcat")).toAbsolutePath();
    private final boolean jfr = Boolean.getBoolean("bench.jfr");
    private final boolean floor = !"false".equals(Benchmark.text("bench.floor", "true"));
    private final Path out = Path.of(Benchmark.text("bench.out", "target/bench")).toAbsolutePath();
    private final List<Variant> variants = new ArrayList<>();
    private final List<Result> results = new ArrayList<>();
    private final List<Idle> idles = new ArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private Upstream cameras;
    private LoadClient client;
    private String loadBefore;

    static void main(String[] args) throws Exception {
        new ManyCameras().run();
        System.exit(0);
    }

    private void run() throws Exception {
        Files.createDirectories(out);
        loadBefore = Benchmark.loadAverage();
        variants();
        List<byte[]> pool = FramePool.generate(20, 100_000);
        int most = Arrays.stream(cameraCounts).max().orElse(0);
        try (Upstream upstream = new Upstream(pool, most, 4); LoadClient loadClient = new LoadClient()) {
            cameras = upstream;
            client = loadClient;
            if (distribution) {
                for (Variant variant : variants) {
                    idles.add(idle(variant));
                }
            }
            for (int count : cameraCounts) {
                if (floor) {
                    results.add(floor(count, "httpclient"));
                    results.add(floor(count, "socket"));
                }
                for (String validation : validations) {
                    // Side by side: each variant right after the other, so that a change in the machine's load
                    // falls on both.
                    for (Variant variant : variants) {
                        results.add(measure(variant, validation, count));
                    }
                }
            }
        }
        String report = report();
        System.out.println();
        System.out.print(report);
        Files.writeString(out.resolve("cameras.txt"), report, StandardCharsets.UTF_8);
        Benchmark.log("written " + out.resolve("cameras.txt"));
    }

    private void variants() {
        Path war = Path.of(Benchmark.text("bench.war", "target/mjpeg-server.war")).toAbsolutePath();
        String baseline = Benchmark.text("bench.baselineWar", "");
        List<String> options = new ArrayList<>();
        String extra = Benchmark.text("bench.serverJvmOptions", "").trim();
        if (!extra.isEmpty()) {
            options.addAll(Arrays.asList(extra.split("\\s+")));
        }
        List<Path> wars = new ArrayList<>(List.of(war));
        if (!baseline.isBlank()) {
            wars.add(Path.of(baseline).toAbsolutePath());
        }
        for (Path each : wars) {
            if (!Files.isRegularFile(each)) {
                throw new IllegalStateException(each + " not found: run `mvn package` first");
            }
            String name = each.equals(war) ? "this" : "baseline";
            if (distribution) {
                for (String file : Benchmark.text("bench.setenv", "stock,src/main/docker/setenv.sh").split(",")) {
                    if (file.trim().equals("stock")) {
                        variants.add(new Variant(name + ", stock", each, options, null));
                    } else {
                        Path setenv = Path.of(file.trim()).toAbsolutePath();
                        variants.add(new Variant(name + ", " + setenv.getFileName(), each, options, setenv));
                    }
                }
            } else {
                variants.add(new Variant(name, each, options, null));
            }
        }
    }

    private Result measure(Variant variant, String validation, int count) throws Exception {
        Path config = out.resolve("cameras-config.yaml");
        StringBuilder yaml = new StringBuilder(String.format(Locale.ROOT, "mjpeg-server:%n  stream_fps: %s%n"
                + "  fetch_minimum_fps: %s%n  fetch_maximum_fps: %s%n  image_validation: %s%n  image_timeout_seconds: 30%n"
                + "images:%n", viewerFps, cameraFps, cameraFps, validation));
        for (int i = 0; i < count; i++) {
            yaml.append(String.format("  cam-%d:%n    url: %s%n", i, cameras.url(i)));
        }
        Files.writeString(config, yaml, StandardCharsets.UTF_8);
        String tag = String.format("%s-%s-%d", variant.name().replaceAll("[^a-z0-9]+", "-"), validation, count);
        Benchmark.log(String.format("%s: %s, %d cameras at %s fps, %d viewer(s) each", variant.name(), validation, count,
                trim(cameraFps), viewersPerImage));
        try (Server server = start(variant, config, tag)) {
            for (int i = 0; i < count; i++) {
                awaitFrame(server.port(), "cam-" + i);
            }
            InetSocketAddress address = new InetSocketAddress("127.0.0.1", server.port());
            // One image at a time: the client holds one request line at a time.
            for (int i = 0; i < count; i++) {
                client.open(address, "/images/cam-" + i + "/stream", viewersPerImage, 0);
                awaitHeld((i + 1) * viewersPerImage);
            }
            Thread.sleep((long) (warmupSeconds * 1000));
            Result result = window(variant, validation, count, server.process(), tag, () -> {
                client.startWindow();
                Thread.sleep((long) (measureSeconds * 1000));
                return client.endWindow();
            });
            client.closeAll();
            return result;
        }
    }

    /** What viewers saw in one measured window; null where there are none. */
    private interface Viewing {
        LoadClient.Window watch() throws Exception;
    }

    /** Measures {@code process} while {@code viewing} runs: fetches, CPU and its split, then memory and threads. */
    private Result window(Variant variant, String validation, int count, ChildJvm process, String tag, Viewing viewing)
            throws Exception {
        if (jfr) {
            process.jcmd(String.format("JFR.start name=bench duration=%ds filename=%s settings=profile",
                    (long) Math.ceil(measureSeconds), out.resolve("cameras-" + tag + ".jfr")));
        }
        long started = System.nanoTime();
        long cpuBefore = process.cpuNanos();
        CpuSplit splitBefore = CpuSplit.of(process.pid());
        long servedBefore = cameras.served();
        long[] machineBefore = Benchmark.machineTicks();
        LoadClient.Window window = viewing.watch();
        long served = cameras.served() - servedBefore;
        double cpu = process.cpuNanos() - cpuBefore;
        double seconds = (System.nanoTime() - started) / 1e9;
        Map<String, Double> split = CpuSplit.of(process.pid()).percentSince(splitBefore);
        long[] machineAfter = Benchmark.machineTicks();
        double idle = 100.0 * (machineAfter[1] - machineBefore[1]) / Math.max(1, machineAfter[0] - machineBefore[0]);
        long rss = process.rssKb();
        long threads = process.threads();
        nativeMemory(process, tag);
        ChildJvm.Heap heap = process.liveHeap(25);
        Files.writeString(out.resolve("cameras-heap-" + tag + ".txt"), heap.top(), StandardCharsets.UTF_8);
        Result result = new Result(variant, validation, count, count * cameraFps, served / seconds,
                window == null ? Double.NaN : Benchmark.percentile(window.fps().clone(), 50), cpu, seconds, split,
                rss, heap.liveBytes() / 1024, threads, idle);
        Benchmark.log(line(result));
        return result;
    }

    /**
     * {@link FetchFloor}: the same fetches with nothing else, for what a fetch alone costs on this machine, with the
     * server's HttpClient or with a bare socket (the least a Java program can do).
     */
    private Result floor(int count, String client) throws Exception {
        Benchmark.log(String.format("floor: fetches only by %s, %d cameras at %s fps", client, count, trim(cameraFps)));
        List<String> args = new ArrayList<>(List.of(client, String.valueOf(cameraFps)));
        for (int i = 0; i < count; i++) {
            args.add(cameras.url(i));
        }
        String tag = "floor-" + client + "-" + count;
        ChildJvm process = new ChildJvm("cameras-" + tag, FetchFloor.class.getName(),
                Benchmark.classpath(entry -> entry.getFileName().toString().matches("(httpc|slf4j).*") || entry.endsWith("test-classes")),
                variants.get(0).jvmOptions(), args, out.resolve("cameras-" + tag + ".log"));
        Variant variant = new Variant("floor (" + client + ")", null, variants.get(0).jvmOptions(), null);
        try (Server server = new Server(process, process.awaitReady(60)[0])) {
            Thread.sleep((long) (warmupSeconds * 1000));
            return window(variant, "-", count, server.process(), tag, () -> {
                Thread.sleep((long) (measureSeconds * 1000));
                return null;
            });
        }
    }

    /** The repository's default config, nobody watching, once the server has settled. */
    private Idle idle(Variant variant) throws Exception {
        Benchmark.log(variant.name() + ": the default config, idle");
        Path folder = Files.createDirectories(out.resolve("cameras-default-config"));
        Files.copy(Path.of("config.yaml"), folder.resolve("config.yaml"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Path images = Files.createDirectories(folder.resolve("images"));
        try (Stream<Path> files = Files.list(Path.of("images"))) {
            for (Path file : (Iterable<Path>) files::iterator) {
                Files.copy(file, images.resolve(file.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        }
        try (Server server = start(variant, folder.resolve("config.yaml"), "idle")) {
            awaitFrame(server.port(), "testpattern");
            // Start-up garbage is collected and the code is compiled within this; idle means what remains.
            Thread.sleep((long) ((warmupSeconds + measureSeconds) * 1000));
            ChildJvm process = server.process();
            long cpuBefore = process.cpuNanos();
            Thread.sleep((long) (measureSeconds * 1000));
            double cpuPercent = 100.0 * (process.cpuNanos() - cpuBefore) / (measureSeconds * 1e9);
            long rss = process.rssKb();
            long threads = process.threads();
            nativeMemory(process, "idle-" + variant.name().replaceAll("[^a-z0-9]+", "-"));
            long heap = process.liveHeap(25).liveBytes() / 1024;
            Idle idle = new Idle(variant, rss, heap, threads, cpuPercent);
            Benchmark.log(String.format("idle: RSS %d KB, live heap %d KB, %d threads, CPU %.1f %%", rss, heap, threads, cpuPercent));
            return idle;
        }
    }

    /** Where the memory goes, when the server runs with -XX:NativeMemoryTracking=summary. */
    private void nativeMemory(ChildJvm process, String tag) throws Exception {
        String options = Benchmark.text("bench.serverJvmOptions", "");
        if (options.contains("NativeMemoryTracking")) {
            Files.writeString(out.resolve("cameras-nmt-" + tag + ".txt"), process.jcmd("VM.native_memory summary"),
                    StandardCharsets.UTF_8);
        }
    }

    private void awaitHeld(int streams) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (client.held() < streams && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        if (client.held() < streams) {
            throw new IllegalStateException("only " + client.held() + " of " + streams + " streams opened, "
                    + client.failed() + " failed");
        }
    }

    private void awaitFrame(int port, String image) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/images/" + image))
                .timeout(Duration.ofSeconds(5)).build();
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        int status = 0;
        while (System.nanoTime() < deadline) {
            try {
                status = http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
            } catch (IOException e) {
                status = -1; // Not listening yet.
            }
            if (status == 200) {
                return;
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("no frame of " + image + " within 120 s (last status " + status + ")");
    }

    // ---- Servers ----

    /** A running server under test. */
    private record Server(ChildJvm process, int port) implements AutoCloseable {

        @Override
        public void close() {
            process.kill();
            try {
                // Its memory and CPU must be gone before the next one is measured.
                ProcessHandle.of(process.pid()).ifPresent(handle -> handle.onExit().join());
            } catch (RuntimeException e) {
                // Gone already.
            }
        }
    }

    private Server start(Variant variant, Path config, String tag) throws Exception {
        return distribution ? startDistribution(variant, config, tag) : startEmbedded(variant, config, tag);
    }

    private Server startEmbedded(Variant variant, Path config, String tag) throws Exception {
        List<String> options = new ArrayList<>(List.of("-Dmjpeg.server.config=" + config));
        options.addAll(Arrays.asList(Benchmark.text("bench.tomcatOpens", Benchmark.DEFAULT_OPENS).trim().split("\\s+")));
        options.addAll(variant.jvmOptions());
        ChildJvm process = new ChildJvm("cameras-" + tag, BenchServer.class.getName(),
                Benchmark.classpath(entry -> entry.getFileName().toString().startsWith("tomcat-") || entry.endsWith("test-classes")),
                options, List.of(variant.war().toString(), out.resolve("cameras-tomcat").toString(), Benchmark.CONNECTOR),
                out.resolve("cameras-" + tag + ".log"));
        return new Server(process, process.awaitReady(120)[0]);
    }

    /**
     * The WAR as ROOT of a Tomcat distribution with the Dockerfile's server.xml, started by {@code catalina.sh run}
     * with the config in {@code MJPEG_SERVER_CONFIG}, as the Docker image starts it, with or without its setenv.sh.
     */
    private Server startDistribution(Variant variant, Path config, String tag) throws Exception {
        if (!Files.isRegularFile(tomcatHome.resolve("bin/catalina.sh"))) {
            throw new IllegalStateException("no Tomcat distribution at " + tomcatHome + " (bench.tomcatHome)");
        }
        Path base = out.resolve("cameras-catalina");
        deleteTree(base);
        for (String dir : List.of("bin", "conf", "logs", "temp", "work", "webapps")) {
            Files.createDirectories(base.resolve(dir));
        }
        try (Stream<Path> files = Files.list(tomcatHome.resolve("conf"))) {
            for (Path file : (Iterable<Path>) files::iterator) {
                Files.copy(file, base.resolve("conf").resolve(file.getFileName()));
            }
        }
        int port = freePort();
        Path serverXml = base.resolve("conf/server.xml");
        DockerImage.applyServerXmlEdits(Path.of("Dockerfile"), serverXml);
        Files.writeString(serverXml, Files.readString(serverXml)
                .replace("port=\"8080\"", "port=\"" + port + "\"")
                .replace("<Server port=\"8005\"", "<Server port=\"-1\"")
                .replace("<Listener className=\"org.apache.catalina.core.AprLifecycleListener\" />", ""));
        Files.copy(variant.war(), base.resolve("webapps/ROOT.war"));
        if (variant.setenv() != null) {
            Files.copy(variant.setenv(), base.resolve("bin/setenv.sh"));
        }
        ProcessBuilder builder = DockerImage.catalinaRun(tomcatHome, base, config).directory(base.toFile());
        if (!variant.jvmOptions().isEmpty()) {
            builder.environment().put("JAVA_OPTS", String.join(" ", variant.jvmOptions()));
        }
        return new Server(new ChildJvm("cameras-" + tag, builder, out.resolve("cameras-" + tag + ".log")), port);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(path -> {
                try {
                    Files.delete(path);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }

    // ---- Report ----

    private static final String HEADER = String.format("%-22s %-10s %7s %7s %7s %6s %8s %6s %6s %6s %6s %6s %6s %6s %6s %7s %7s %7s %5s",
            "server", "validation", "cameras", "asked", "fetched", "viewer", "CPU ms", "no JIT", "CPU", "fetch", "stream", "tomcat",
            "gc", "jit", "other", "RSS", "heap", "threads", "idle");
    private static final String HEADER2 = String.format("%-22s %-10s %7s %7s %7s %6s %8s %6s %6s %6s %6s %6s %6s %6s %6s %7s %7s %7s %5s",
            "", "", "", "/s", "/s", "fps", "/fetch", "ms", "%", "%", "%", "%", "%", "%", "%", "MB", "MB", "", "%");

    private static String line(Result result) {
        Map<String, Double> split = result.split();
        return String.format("%-22s %-10s %7d %7.0f %7.1f %6.1f %8.2f %6.2f %6.1f %6.0f %6.0f %6.0f %6.0f %6.0f %6.0f %7.0f %7.1f %7d %5.0f",
                result.variant().name(), result.validation(), result.cameras(), result.asked(), result.fetched(),
                result.viewerFps(), result.cpuMillisPerFetch(), result.steadyMillisPerFetch(), result.cpuPercent(), split.get("fetch"), split.get("stream"),
                split.get("tomcat"), split.get("gc"), split.get("jit"), split.get("other"), result.rssKb() / 1024.0,
                result.heapKb() / 1024.0, result.threads(), result.machineIdle());
    }

    private String report() {
        StringBuilder text = new StringBuilder();
        text.append(String.format("mjpeg-server many-cameras benchmark: each camera its own loopback URL serving ~100 KB %dx%d JPEGs, "
                + "polled at %s fps, %d viewer(s) per image at %s fps; %s s measured after %s s warm-up; %d CPUs; %s%n",
                FramePool.WIDTH, FramePool.HEIGHT, trim(cameraFps), viewersPerImage, trim(viewerFps), trim(measureSeconds),
                trim(warmupSeconds), Runtime.getRuntime().availableProcessors(),
                distribution ? "Tomcat distribution (catalina.sh run) at " + tomcatHome : "embedded Tomcat (BenchServer), connector as in the Dockerfile"));
        text.append(String.format("JVM options: %s%s%s%n", variants.get(0).jvmOptions().isEmpty() ? "stock" : String.join(" ", variants.get(0).jvmOptions()),
                distribution ? ", plus each row's setenv.sh" : "",
                jfr ? " (JFR recording: CPU figures inflated)" : ""));
        text.append("CPU % = the server process (100 = one core); fetch/stream/tomcat/gc/jit/other = shares of that CPU by thread\n"
                + "(pollers; stream clock; Tomcat's connector; GC and VM thread; JIT compilers; the rest); idle = the machine's idle CPU.\n");
        text.append(String.format("load average (1, 5, 15 min) before: %s, after: %s%n%n", loadBefore, Benchmark.loadAverage()));
        if (!idles.isEmpty()) {
            text.append("default config (config.yaml: one test pattern), nobody watching:\n");
            for (Idle idle : idles) {
                text.append(String.format("  %-22s RSS %6.1f MB, live heap %5.1f MB, %3d threads, CPU %.1f %%%n",
                        idle.variant().name(), idle.rssKb() / 1024.0, idle.heapKb() / 1024.0, idle.threads(), idle.cpuPercent()));
            }
            text.append('\n');
        }
        text.append(HEADER).append('\n').append(HEADER2).append('\n');
        for (Result result : results) {
            text.append(line(result)).append('\n');
        }
        text.append(String.format("%nthis / baseline (same cameras and validation) and this / floor (same cameras; floor = the same "
                + "fetches by a bare HttpClient program, nothing else; the socket floor is the same by hand on a socket; no JIT = CPU per fetch without the JIT compilers' threads, this / baseline):%n%-22s %-10s %7s %10s %10s %10s %12s %8s%n",
                "server", "validation", "cameras", "CPU/fetch", "CPU", "RSS", "CPU/fetch vs floor", "no JIT"));
        for (Result result : results) {
            if (!result.variant().name().startsWith("this")) {
                continue;
            }
            String baselineName = result.variant().name().replaceFirst("^this", "baseline");
            Result base = results.stream().filter(r -> r.variant().name().equals(baselineName)
                    && r.validation().equals(result.validation()) && r.cameras() == result.cameras()).findFirst().orElse(null);
            Result bare = results.stream().filter(r -> r.variant().name().equals("floor (httpclient)") && r.cameras() == result.cameras())
                    .findFirst().orElse(null);
            text.append(String.format("%-22s %-10s %7d %10s %10s %10s %12s %8s%n", result.variant().name(), result.validation(),
                    result.cameras(), ratio(result.cpuMillisPerFetch(), base == null ? Double.NaN : base.cpuMillisPerFetch()),
                    ratio(result.cpuPercent(), base == null ? Double.NaN : base.cpuPercent()),
                    ratio(result.rssKb(), base == null ? Double.NaN : base.rssKb()),
                    ratio(result.cpuMillisPerFetch(), bare == null ? Double.NaN : bare.cpuMillisPerFetch()),
                    ratio(result.steadyMillisPerFetch(), base == null ? Double.NaN : base.steadyMillisPerFetch())));
        }
        return text.toString();
    }

    private static String ratio(double value, double base) {
        return Double.isNaN(base) ? "-" : String.format("%.2fx", value / base);
    }

    private static String trim(double value) {
        return value == Math.rint(value) ? String.valueOf((long) value) : String.valueOf(value);
    }
}

package org.mjpegserver.bench;

import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;
import org.mjpegserver.frames.Frame;

/**
 * Load benchmark: the built WAR in Tomcat (its own JVM) streams a loopback camera to a ramp of viewers, and a
 * trivial sender (its own JVM) writes the same bytes to the same client, to show what the machine itself can do.
 * Prints the tables and writes them to {@code target/bench/results.txt} and {@code results.csv}.
 * <p>
 * System properties (all optional): {@code bench.quick} (steps 1, 50, 200 and short windows), {@code bench.steps}
 * (comma-separated viewer counts), {@code bench.maxViewers}, {@code bench.warmupSeconds},
 * {@code bench.measureSeconds}, {@code bench.stalledViewers} (the 10 %-never-reading scenario), {@code bench.war},
 * {@code bench.out}, {@code bench.tomcatOpens}; {@code bench.connectors} (the connectors the server is measured
 * with one after the other, {@code tuned,stock} by default: the Docker image's attributes and a stock server.xml's),
 * {@code bench.allSteps} ({@code true} measures every step, not stopping after the first that fails),
 * {@code bench.connector} (the tuned connector's attributes as {@code name=value,...}), {@code bench.trivial} ({@code false} skips the trivial sender), {@code bench.ceiling}
 * ({@code false} skips {@link CeilingServlet}, the bare container), {@code bench.jfr}
 * ({@code true} records a JFR profile of the server during each measured window, into {@code server-N.jfr}) and
 * {@code bench.strace} ({@code true} counts the server's system calls during each window with {@code strace -c -f},
 * into {@code strace-N.txt}), {@code bench.perf} ({@code true} samples the server with {@code perf record -g} during
 * each window into {@code perf-N.data}, and has the JVM write {@code /tmp/perf-PID.map} for its compiled code) and
 * {@code bench.perfStat} ({@code true} counts the server's write, epoll, futex and read system calls, its writes
 * that failed with EAGAIN and the packets sent on loopback with {@code perf stat} tracepoints during each window,
 * into {@code perfstat-N.txt}: cheap enough to leave the CPU figures nearly as they are),
 * {@code bench.serverJvmOptions} (more JVM options for the server, space-separated, for example
 * {@code -XX:+PreserveFramePointer} for perf's call graphs). Profiling and tracing slow the server: their CPU
 * figures are not comparable. {@code bench.scenario=sizes} runs {@link SizesScenario} instead of the ramp,
 * {@code bench.scenario=stream-source} runs {@link StreamSourceBenchmark}, and {@code bench.scenario=cameras} runs
 * {@link ManyCameras}.
 */
public final class Benchmark {

    static final double FPS = 15;
    /** A viewer is on target at 90 % of the frame rate or more... */
    static final double ON_TARGET_FPS = 0.9 * FPS;
    /** ...and a step passes while 95 % of viewers are. */
    static final double PASS_PERCENT = 95;
    static final int STALL_EVERY = 10;
    static final String IMAGE = "bench";
    private static final String STREAM_PATH = "/images/" + IMAGE + "/stream";
    /** Where the server's Tomcat serves {@link CeilingServlet}. */
    private static final String CEILING_PATH = "/ceiling/";
    /** The connector attributes of the Docker image's server.xml; override with -Dbench.connector=... */
    static final String CONNECTOR = "maxThreads=16,minSpareThreads=16,socket.appWriteBufSize=131072,socket.directBuffer=true,"
            + "maxHttpHeaderSize=4096,socket.appReadBufSize=2048";
    /** The HTTP connector of a stock conf/server.xml, as Tomcat 10.1 and 11 ship it (redirectPort aside, which is not the endpoint's). */
    static final String STOCK_CONNECTOR = "connectionTimeout=20000";
    static final String DEFAULT_OPENS = "--add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.io=ALL-UNNAMED"
            + " --add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/java.util.concurrent=ALL-UNNAMED"
            + " --add-opens=java.rmi/sun.rmi.transport=ALL-UNNAMED";

    /** One measured step: a scenario at a number of viewers. */
    record Row(String scenario, int viewers, LoadClient.Window window, double cpuNanos, long threads,
            double rssKbPerViewer, double heapKbPerViewer, double machineIdlePercent) {

        double onTargetPercent() {
            if (window.measured() == 0) {
                return 0;
            }
            return 100.0 * Arrays.stream(window.fps()).filter(fps -> fps >= ON_TARGET_FPS).count() / window.measured();
        }

        boolean passed() {
            return onTargetPercent() >= PASS_PERCENT;
        }

        double fpsPercentile(double p) {
            return percentile(window.fps().clone(), p);
        }

        double megabytesPerSecond() {
            return window.bytes() / window.seconds() / 1e6;
        }

        double cpuMicrosPerFrame() {
            return window.frames() == 0 ? Double.NaN : cpuNanos / 1000 / window.frames();
        }

        double cpuPercent() {
            return 100 * cpuNanos / (window.seconds() * 1e9);
        }

        double clientCpuPercent() {
            return 100 * window.cpuNanos() / (window.seconds() * 1e9);
        }

        double freshnessMillis(double p) {
            return millisPercentile(window.freshnessNanos(), p);
        }

        /** From the frame's arrival at the server to the viewer: what the freshness target is about. */
        double arrivalMillis(double p) {
            return millisPercentile(window.arrivalNanos(), p);
        }

        private static double millisPercentile(long[] nanos, double p) {
            if (nanos.length == 0) {
                return Double.NaN;
            }
            double[] values = new double[nanos.length];
            for (int i = 0; i < nanos.length; i++) {
                values[i] = nanos[i] / 1e6;
            }
            return percentile(values, p);
        }
    }

    /** The server with no viewers, after one short stream loaded its classes. */
    private record Idle(long threads, long rssKb, long heapKb) {
    }

    /** The server's ramp and never-reading step with another connector than the first. */
    private record Compared(String connector, String attributes, Idle idle, List<Row> rows, Row stalled) {
    }

    private final boolean quick = Boolean.getBoolean("bench.quick");
    private final double warmupSeconds = number("bench.warmupSeconds", quick ? 1 : 3);
    private final double measureSeconds = number("bench.measureSeconds", quick ? 3 : 10);
    private final int maxViewers = (int) number("bench.maxViewers", quick ? 200 : 4000);
    private final int stalledViewers = (int) number("bench.stalledViewers", quick ? 50 : 500);
    private final int[] steps = steps();
    private final Path out = Path.of(text("bench.out", "target/bench")).toAbsolutePath();
    private final Path war = Path.of(text("bench.war", "target/mjpeg-server.war")).toAbsolutePath();
    private final String connector = text("bench.connector", CONNECTOR);
    private final List<String> connectors = List.of(text("bench.connectors", "tuned,stock").split(","));
    /** Every step even after one failed: on a busy machine, to compare connectors where both fall short. */
    private final boolean allSteps = Boolean.getBoolean("bench.allSteps");
    private final boolean trivial = !"false".equals(text("bench.trivial", "true"));
    private final boolean ceiling = !"false".equals(text("bench.ceiling", "true"));
    private final boolean jfr = Boolean.getBoolean("bench.jfr");
    private final boolean strace = Boolean.getBoolean("bench.strace");
    private final boolean perf = Boolean.getBoolean("bench.perf");
    private final boolean perfStat = Boolean.getBoolean("bench.perfStat");
    private final boolean sizes = "sizes".equals(text("bench.scenario", "ramp"));
    private SizesScenario sizesScenario;
    private final List<ChildJvm> children = new ArrayList<>();
    private final List<Row> serverRows = new ArrayList<>();
    private final List<Row> pacedRows = new ArrayList<>();
    private final List<Row> maxRows = new ArrayList<>();
    private final List<Row> ceilingRows = new ArrayList<>();
    private Row stalledRow;
    /** The idle server of the run being measured, and of the first connector's run. */
    private Idle idle;
    private Idle serverIdle;
    /** The server's rows with the connectors after the first, for the side-by-side comparison. */
    private final List<Compared> compared = new ArrayList<>();
    private LoadClient client;
    private String loadBefore;

    public static void main(String[] args) throws Exception {
        if ("stream-source".equals(System.getProperty("bench.scenario"))) {
            StreamSourceBenchmark.main(args);
            return;
        }
        Locale.setDefault(Locale.ROOT);
        if ("cameras".equals(System.getProperty("bench.scenario"))) {
            ManyCameras.main(args);
            return;
        }
        Benchmark benchmark = new Benchmark();
        Runtime.getRuntime().addShutdownHook(new Thread(benchmark::killChildren));
        try {
            benchmark.run();
        } finally {
            benchmark.killChildren();
        }
        System.exit(0);
    }

    private void run() throws Exception {
        if (!Files.isRegularFile(war)) {
            throw new IllegalStateException(war + " not found: run `mvn package` first");
        }
        Files.createDirectories(out);
        loadBefore = loadAverage();
        log("steps " + Arrays.toString(steps) + ", warm-up " + warmupSeconds + " s, measure " + measureSeconds
                + " s per step; " + Runtime.getRuntime().availableProcessors() + " CPUs");
        log("generating the picture pool");
        List<byte[]> pool = FramePool.generate(20, 100_000);
        FramePool.save(pool, out.resolve("pool"));
        saveParts(pool, out.resolve("ceiling"));
        log(String.format("pool: %d JPEGs %dx%d, %d..%d bytes", pool.size(), FramePool.WIDTH, FramePool.HEIGHT,
                pool.stream().mapToInt(b -> b.length).min().orElse(0), pool.stream().mapToInt(b -> b.length).max().orElse(0)));
        try (Upstream upstream = new Upstream(pool); LoadClient loadClient = new LoadClient()) {
            client = loadClient;
            for (String name : connectors) {
                runServer(upstream, name.trim());
            }
            if (trivial && !sizes) {
                runTrivialSender();
            } else if (trivial) {
                runTrivialSizes(pool);
            }
        }
        String report = sizes ? sizesScenario.report(loadBefore, loadAverage()) : report();
        System.out.println();
        System.out.print(report);
        Files.writeString(out.resolve("results.txt"), report, StandardCharsets.UTF_8);
        Files.writeString(out.resolve("results.csv"), csv(), StandardCharsets.UTF_8);
        log("written " + out.resolve("results.txt") + " and results.csv");
    }

    /** The connector's attributes by name: {@code tuned} (the Docker image's, or -Dbench.connector) or {@code stock}. */
    private String attributes(String name) {
        return switch (name) {
            case "tuned" -> connector;
            case "stock" -> STOCK_CONNECTOR;
            default -> throw new IllegalArgumentException("bench.connectors: unknown connector '" + name + "' (tuned or stock)");
        };
    }

    /**
     * The server's ramp with one connector. The first connector's run fills the main rows (and the container's
     * ceiling); the others go to {@link #compared}, labelled with their name.
     */
    private void runServer(Upstream upstream, String name) throws Exception {
        boolean first = name.equals(connectors.get(0).trim());
        String label = first ? "server" : "server, " + name;
        List<Row> rows = first ? serverRows : new ArrayList<>();
        Path config = out.resolve("config.yaml");
        Files.writeString(config, "mjpeg-server:\n"
                + "  stream_fps: " + (int) FPS + "\n"
                + "  fetch_minimum_fps: 5\n"
                + "  fetch_maximum_fps: 5\n"
                + "  image_validation: valid_jpeg\n"
                + "  image_timeout_seconds: 30\n"
                + "  image_timeout_behavior: last_frame\n"
                + "images:\n"
                + "  " + IMAGE + ":\n"
                + "    url: " + upstream.url() + "\n", StandardCharsets.UTF_8);
        List<String> options = new ArrayList<>(List.of("-Xmx1g", "-Dmjpeg.server.config=" + config));
        options.addAll(Arrays.asList(text("bench.tomcatOpens", DEFAULT_OPENS).trim().split("\\s+")));
        String extra = text("bench.serverJvmOptions", "").trim();
        if (!extra.isEmpty()) {
            options.addAll(Arrays.asList(extra.split("\\s+")));
        }
        Path logging = Path.of("src/test/resources/logging.properties").toAbsolutePath();
        if (Files.isRegularFile(logging)) {
            options.add("-Djava.util.logging.config.file=" + logging);
        }
        ChildJvm tomcat = child("tomcat", BenchServer.class.getName(),
                classpath(entry -> entry.getFileName().toString().startsWith("tomcat-") || entry.endsWith("test-classes")),
                options, List.of(war.toString(), out.resolve("tomcat").toString(), attributes(name), out.resolve("ceiling").toString()));
        int port = tomcat.awaitReady(120)[0];
        InetSocketAddress address = new InetSocketAddress("127.0.0.1", port);
        log(name + " connector: Tomcat pid " + tomcat.pid() + " on port " + port + "; waiting for the first frame");
        awaitFrame(port);
        // One short stream loads the streaming classes, so the idle baseline is not charged to the first step.
        client.open(address, STREAM_PATH, 1, 0);
        Thread.sleep(2000);
        client.closeAll();
        Thread.sleep(1000);
        ChildJvm.Heap idleHeap = tomcat.liveHeap(25);
        Files.writeString(out.resolve("heap-idle.txt"), idleHeap.top(), StandardCharsets.UTF_8);
        idle = new Idle(tomcat.threads(), tomcat.rssKb(), idleHeap.liveBytes() / 1024);
        log(String.format("idle server: %d threads, RSS %d KB, live heap %d KB", idle.threads(), idle.rssKb(), idle.heapKb()));
        if (sizes) {
            sizesScenario = new SizesScenario(port, IMAGE, (String scenario, String[] paths, int viewers) -> {
                for (String path : paths) {
                    open(scenario, address, path, viewers, 0);
                }
                return measure(scenario, tomcat, viewers * paths.length, true);
            });
            sizesScenario.run(STREAM_PATH, (int) number("bench.sizesViewers", 500));
            tomcat.close();
            return;
        }
        if (first) {
            serverIdle = idle;
        }
        long fetchesBefore = upstream.served();
        long started = System.nanoTime();
        int lastPassed = 0;
        for (int viewers : steps) {
            Row row = step(label, tomcat, address, STREAM_PATH, viewers, 0, true);
            rows.add(row);
            log(String.format("%s   (upstream served %.1f/s)", line(row),
                    (upstream.served() - fetchesBefore) * 1e9 / (System.nanoTime() - started)));
            if (!row.passed() && !allSteps) {
                break;
            }
            if (row.passed()) {
                lastPassed = viewers;
            }
        }
        int stalled = allSteps ? stalledViewers : Math.min(stalledViewers, lastPassed);
        Row stalledStep = null;
        if (stalled >= STALL_EVERY) {
            stalledStep = step((first ? "" : name + ", ") + "10% never read", tomcat, address, STREAM_PATH, stalled, STALL_EVERY, true);
            log(line(stalledStep));
        } else {
            log("no step passed: the never-reading scenario is skipped");
        }
        if (first) {
            stalledRow = stalledStep;
        } else {
            compared.add(new Compared(name, attributes(name), idle, rows, stalledStep));
        }
        if (ceiling && first) {
            // The container alone, in the same process and connector: what any servlet could get out of it.
            for (Row server : serverRows) {
                Row row = step("tomcat max", tomcat, address, CEILING_PATH, server.viewers(), 0, false);
                ceilingRows.add(row);
                log(line(row));
            }
        }
        tomcat.close();
    }

    private void runTrivialSender() throws Exception {
        ChildJvm sender = trivialSender("trivial-sender", "pool");
        int[] ports = sender.awaitReady(60);
        log("trivial sender pid " + sender.pid() + " on ports " + ports[0] + " (paced), " + ports[1] + " (as fast as possible)");
        for (Row server : serverRows) {
            Row paced = step("trivial 15 fps", sender, new InetSocketAddress("127.0.0.1", ports[0]), STREAM_PATH,
                    server.viewers(), 0, false);
            pacedRows.add(paced);
            log(line(paced));
            Row max = step("trivial max", sender, new InetSocketAddress("127.0.0.1", ports[1]), STREAM_PATH,
                    server.viewers(), 0, false);
            maxRows.add(max);
            log(line(max));
        }
        sender.close();
    }

    /** The trivial sender in a JVM of its own, sending the pictures of the pool in {@code folder} at 15 fps. */
    private ChildJvm trivialSender(String name, String folder) throws IOException {
        return child(name, TrivialSender.class.getName(), classpath(Files::isDirectory), List.of("-Xmx1g"),
                List.of(out.resolve(folder).toString(), String.valueOf(FPS)));
    }

    /**
     * The sizes scenario's floor: the trivial sender paced at 15 fps to N viewers of the full-size pool, then to N
     * of the same pictures at 320 wide, each its own process. What a small viewer costs the machine beside a full one
     * when nothing but the socket writes is left.
     */
    private void runTrivialSizes(List<byte[]> pool) throws Exception {
        int viewers = (int) number("bench.sizesViewers", 500);
        FramePool.save(FramePool.scaled(pool, SizesScenario.WIDTH), out.resolve("pool-small"));
        Row[] floor = new Row[2];
        String[] folders = {"pool", "pool-small"};
        for (int i = 0; i < 2; i++) {
            ChildJvm sender = trivialSender("trivial-sender-" + folders[i], folders[i]);
            int[] ports = sender.awaitReady(60);
            floor[i] = step(i == 0 ? "trivial full size" : "trivial " + SizesScenario.WIDTH + " wide", sender,
                    new InetSocketAddress("127.0.0.1", ports[0]), STREAM_PATH, viewers, 0, false);
            log(line(floor[i]));
            sender.close();
        }
        sizesScenario.floor(floor[0], floor[1]);
    }

    /** Opens the viewers, lets them settle, measures one window, samples the process, and closes them again. */
    private Row step(String scenario, ChildJvm process, InetSocketAddress address, String path, int viewers, int stallEvery,
            boolean memory) throws Exception {
        open(scenario, address, path, viewers, stallEvery);
        return measure(scenario, process, viewers, memory);
    }

    /** Opens {@code viewers} more streams of {@code path} and waits until they are open (or failed). */
    private void open(String scenario, InetSocketAddress address, String path, int viewers, int stallEvery) throws Exception {
        int target = client.held() + client.failed() + viewers;
        client.open(address, path, viewers, stallEvery);
        long deadline = System.nanoTime() + Duration.ofSeconds(30 + viewers / 50).toNanos();
        while (client.held() + client.failed() < target && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        if (client.held() < target) {
            log(scenario + " at " + target + ": only " + client.held() + " streams opened, " + client.failed() + " failed");
        }
    }

    /** Measures the open streams: settles, measures one window, samples the process, and closes them again. */
    private Row measure(String scenario, ChildJvm process, int viewers, boolean memory) throws Exception {
        Thread.sleep((long) (warmupSeconds * 1000));
        long cpuBefore = process.cpuNanos();
        long[] machineBefore = machineTicks();
        String tag = scenario.replaceAll("[^a-z0-9]+", "-") + "-" + viewers;
        if (jfr && memory) {
            process.jcmd(String.format("JFR.start name=bench duration=%ds filename=%s settings=profile",
                    (long) Math.ceil(measureSeconds), out.resolve(tag + ".jfr")));
        }
        Process trace = strace && memory ? new ProcessBuilder("strace", "-c", "-f", "-p", String.valueOf(process.pid()),
                "-o", out.resolve("strace-" + tag + ".txt").toString()).redirectErrorStream(true)
                .redirectOutput(out.resolve("strace-" + tag + ".log").toFile()).start() : null;
        Process sampler = perf && memory ? new ProcessBuilder("perf", "record", "-F", "499", "-g", "-p",
                String.valueOf(process.pid()), "-o", out.resolve("perf-" + tag + ".data").toString()).redirectErrorStream(true)
                .redirectOutput(out.resolve("perf-" + tag + ".log").toFile()).start() : null;
        Process counter = perfStat && memory ? new ProcessBuilder("perf", "stat", "-p", String.valueOf(process.pid()),
                "-e", "syscalls:sys_enter_write", "-e", "syscalls:sys_exit_write", "--filter", "ret < 0",
                "-e", "syscalls:sys_enter_writev", "-e", "syscalls:sys_enter_epoll_ctl", "-e", "syscalls:sys_enter_epoll_wait",
                "-e", "syscalls:sys_enter_futex", "-e", "syscalls:sys_enter_read", "-e", "net:net_dev_xmit",
                "-e", "task-clock", "-o", out.resolve("perfstat-" + tag + ".txt").toString()).redirectErrorStream(true)
                .redirectOutput(out.resolve("perfstat-" + tag + ".log").toFile()).start() : null;
        client.startWindow();
        Thread.sleep((long) (measureSeconds * 1000));
        LoadClient.Window window = client.endWindow();
        long cpu = process.cpuNanos() - cpuBefore;
        if (counter != null) {
            // perf stat prints its counts on SIGINT only.
            new ProcessBuilder("kill", "-INT", String.valueOf(counter.pid())).start().waitFor();
            counter.waitFor(30, java.util.concurrent.TimeUnit.SECONDS);
            Files.writeString(out.resolve("perfstat-" + tag + ".txt"), window.frames() + " frames, " + window.bytes()
                    + " bytes in " + window.seconds() + " s\n", StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.APPEND);
        }
        if (sampler != null) {
            sampler.destroy();
            sampler.waitFor(60, java.util.concurrent.TimeUnit.SECONDS);
            process.jcmd("Compiler.perfmap");
            Files.writeString(out.resolve("perf-" + tag + ".frames"), window.frames() + " frames, " + window.bytes()
                    + " bytes in " + window.seconds() + " s\n", StandardCharsets.UTF_8);
        }
        if (trace != null) {
            // SIGTERM: strace detaches and writes its summary.
            trace.destroy();
            trace.waitFor(30, java.util.concurrent.TimeUnit.SECONDS);
            Files.writeString(out.resolve("strace-" + tag + ".frames"), window.frames() + " frames, " + window.bytes()
                    + " bytes in " + window.seconds() + " s\n", StandardCharsets.UTF_8);
        }
        long[] machineAfter = machineTicks();
        double idlePercent = 100.0 * (machineAfter[1] - machineBefore[1]) / Math.max(1, machineAfter[0] - machineBefore[0]);
        long threads = process.threads();
        double rss = Double.NaN;
        double live = Double.NaN;
        // Below 50 viewers the per-viewer share drowns in the heap's and RSS's own noise.
        if (memory && viewers >= 50) {
            rss = (process.rssKb() - idle.rssKb()) / (double) viewers;
            ChildJvm.Heap heap = process.liveHeap(25);
            live = (heap.liveBytes() / 1024.0 - idle.heapKb()) / viewers;
            Files.writeString(out.resolve(String.format("heap-%s-%d.txt", scenario.replaceAll("[^a-z0-9]+", "-"), viewers)),
                    heap.top(), StandardCharsets.UTF_8);
        }
        client.closeAll();
        // Let the server notice the closed streams before the next step.
        Thread.sleep(quick ? 1000 : 2000);
        if (!process.alive()) {
            throw new IllegalStateException(scenario + " process died; see its log in " + out);
        }
        return new Row(scenario, viewers, window, cpu, threads, rss, live, idlePercent);
    }

    /** The parts the server would make of the pool, as files for {@link CeilingServlet}, which runs without its classes. */
    private static void saveParts(List<byte[]> pool, Path folder) throws IOException {
        Path parts = Files.createDirectories(folder.resolve("parts"));
        Files.write(folder.resolve("preamble.bin"), Frame.PREAMBLE);
        for (int i = 0; i < pool.size(); i++) {
            Files.write(parts.resolve(String.format("part-%02d.bin", i)), Frame.of(pool.get(i), Instant.now(), i).part());
        }
    }

    /** All CPU time of the machine and its idle part, in clock ticks, from the first line of /proc/stat. */
    static long[] machineTicks() throws IOException {
        String[] fields = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
        long total = 0;
        for (int i = 1; i < fields.length && i <= 8; i++) {
            total += Long.parseLong(fields[i]);
        }
        // idle + iowait
        return new long[] {total, Long.parseLong(fields[4]) + Long.parseLong(fields[5])};
    }

    static String loadAverage() {
        try {
            String[] fields = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return fields[0] + " " + fields[1] + " " + fields[2];
        } catch (IOException e) {
            return "?";
        }
    }

    static void awaitFrame(int port) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/images/" + IMAGE))
                .timeout(Duration.ofSeconds(5)).build();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        int status = 0;
        while (System.nanoTime() < deadline) {
            status = http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
            if (status == 200) {
                return;
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("no frame from the server within 60 s (last status " + status + ")");
    }

    private ChildJvm child(String name, String mainClass, List<String> classpath, List<String> options, List<String> args)
            throws IOException {
        ChildJvm child = new ChildJvm(name, mainClass, classpath, options, args, out.resolve(name + ".log"));
        children.add(child);
        return child;
    }

    private void killChildren() {
        for (ChildJvm child : children) {
            child.kill();
        }
    }

    /** Entries of this JVM's class path that the child needs. */
    static List<String> classpath(Predicate<Path> wanted) {
        List<String> entries = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (!entry.isEmpty() && wanted.test(Path.of(entry))) {
                entries.add(entry);
            }
        }
        return entries;
    }

    // ---- Report ----

    static final String SERVER_HEADER = String.format("%-24s %7s %6s %7s %6s %6s %6s %8s %9s %6s %8s %8s %7s %8s %8s %8s %8s %7s %5s",
            "scenario", "viewers", "held", "on-tgt", "fps", "fps", "fps", "MB/s", "CPU us", "CPU", "RSS KB", "heap KB",
            "threads", "fresh", "fresh", "arrival", "arrival", "client", "idle");
    static final String SERVER_HEADER2 = String.format("%-24s %7s %6s %7s %6s %6s %6s %8s %9s %6s %8s %8s %7s %8s %8s %8s %8s %7s %5s",
            "", "", "", "%", "min", "p5", "median", "", "/frame", "%", "/viewer", "/viewer", "", "p50 ms", "p99 ms",
            "p50 ms", "p99 ms", "CPU %", "%");

    static String line(Row row) {
        return String.format("%-24s %7d %6d %7.1f %6.1f %6.1f %6.1f %8.1f %9.1f %6.0f %8s %8s %7d %8s %8s %8s %8s %7.0f %5.0f",
                row.scenario(), row.viewers(), row.window().held(), row.onTargetPercent(), row.fpsPercentile(0),
                row.fpsPercentile(5), row.fpsPercentile(50), row.megabytesPerSecond(), row.cpuMicrosPerFrame(),
                row.cpuPercent(), optional(row.rssKbPerViewer()), optional(row.heapKbPerViewer()), row.threads(),
                optional(row.freshnessMillis(50)), optional(row.freshnessMillis(99)), optional(row.arrivalMillis(50)),
                optional(row.arrivalMillis(99)), row.clientCpuPercent(),
                row.machineIdlePercent());
    }

    private static double megabytes(Row row) {
        return row == null ? Double.NaN : row.megabytesPerSecond();
    }

    private static double cpuPerFrame(Row row) {
        return row == null ? Double.NaN : row.cpuMicrosPerFrame();
    }

    private static String optional(double value) {
        return Double.isNaN(value) ? "-" : String.format("%.1f", value);
    }

    private String report() {
        StringBuilder text = new StringBuilder();
        text.append(String.format("mjpeg-server load benchmark: %d fps per viewer, source 5 fps of %dx%d JPEGs (~100 KB), "
                + "valid_jpeg; %s s measured after %s s warm-up per step; %d CPUs%n", (int) FPS, FramePool.WIDTH,
                FramePool.HEIGHT, trim(measureSeconds), trim(warmupSeconds), Runtime.getRuntime().availableProcessors()));
        text.append(String.format("on target: >= %.1f fps; a step passes with >= %.0f %% of viewers on target. "
                + "CPU %% = the serving process (/proc, 100 = one core); client = the load client's selector thread;%n"
                + "idle = the whole machine's idle CPU during the window (low idle with other load = numbers disturbed).%n",
                ON_TARGET_FPS, PASS_PERCENT));
        text.append(String.format("load average (1, 5, 15 min) before: %s, after: %s%n", loadBefore, loadAverage()));
        text.append(String.format("Tomcat %s, connector %s: %s%s%n", tomcatVersion(), connectors.get(0).trim(),
                attributes(connectors.get(0).trim()), jfr || strace ? " (profiled: CPU figures inflated)" : ""));
        for (Compared other : compared) {
            text.append(String.format("connector %s (rows \"server, %1$s\"): %s%n", other.connector(), other.attributes()));
        }
        text.append(String.format("idle server: %d threads, RSS %d KB, live heap %d KB (per-viewer figures are above these)%n",
                serverIdle.threads(), serverIdle.rssKb(), serverIdle.heapKb()));
        for (Compared other : compared) {
            text.append(String.format("idle server, %s: %d threads, RSS %d KB, live heap %d KB%n", other.connector(),
                    other.idle().threads(), other.idle().rssKb(), other.idle().heapKb()));
        }
        text.append('\n');
        text.append(SERVER_HEADER).append('\n').append(SERVER_HEADER2).append('\n');
        for (Row row : serverRows) {
            text.append(line(row)).append('\n');
        }
        if (stalledRow != null) {
            text.append(line(stalledRow)).append('\n');
        }
        for (Compared other : compared) {
            for (Row row : other.rows()) {
                text.append(line(row)).append('\n');
            }
            if (other.stalled() != null) {
                text.append(line(other.stalled())).append('\n');
            }
        }
        for (int i = 0; i < pacedRows.size(); i++) {
            text.append(line(pacedRows.get(i))).append('\n');
        }
        for (Row row : maxRows) {
            text.append(line(row)).append('\n');
        }
        for (Row row : ceilingRows) {
            text.append(line(row)).append('\n');
        }
        text.append('\n');
        text.append(String.format("%7s | %47s | %8s %8s | %35s%n", "", "MB/s", "server /", "server /",
                "CPU us per delivered frame"));
        text.append(String.format("%7s | %11s %11s %11s %11s | %8s %8s | %8s %8s %8s %8s%n", "viewers", "server",
                "trivial 15", "tomcat max", "trivial max", "tomcat %", "limit %", "server", "tomcat", "trivial",
                "ratio"));
        for (int i = 0; i < serverRows.size(); i++) {
            Row server = serverRows.get(i);
            Row paced = i < pacedRows.size() ? pacedRows.get(i) : null;
            Row max = i < maxRows.size() ? maxRows.get(i) : null;
            Row container = i < ceilingRows.size() ? ceilingRows.get(i) : null;
            text.append(String.format("%7d | %11.1f %11s %11s %11s | %8s %8s | %8.1f %8s %8s %8s%n", server.viewers(),
                    server.megabytesPerSecond(), optional(megabytes(paced)), optional(megabytes(container)),
                    optional(megabytes(max)), optional(100 * server.megabytesPerSecond() / megabytes(container)),
                    optional(100 * server.megabytesPerSecond() / megabytes(max)), server.cpuMicrosPerFrame(),
                    optional(cpuPerFrame(container)), optional(cpuPerFrame(paced)),
                    optional(server.cpuMicrosPerFrame() / cpuPerFrame(paced))));
        }
        text.append("(server and trivial 15 are paced at 15 fps per viewer, so below ~1000 viewers their MB/s is the offered load,"
                + " not a limit;\n tomcat max = the same parts through the same Tomcat by a bare async servlet, as fast as it goes;"
                + " CPU: tomcat = tomcat max's, trivial = trivial 15's, ratio = server / trivial)\n");
        text.append(comparison());
        text.append('\n').append(targets());
        return text.toString();
    }

    /** Each other connector against the first, step by step, and the targets issue 15 sets for a stock connector. */
    private String comparison() {
        StringBuilder text = new StringBuilder();
        String base = connectors.get(0).trim();
        for (Compared other : compared) {
            String name = other.connector();
            text.append(String.format("%n%7s | %26s | %26s | %26s | %26s%n", "", "on target %", "CPU us per delivered frame",
                    "live heap KB per viewer", "RSS KB per viewer"));
            String pair = String.format("%8s %8s %8s", base, name, "ratio");
            text.append(String.format("%7s | %s | %s | %s | %s%n", "viewers", String.format("%8s %8s %8s", base, name, ""),
                    pair, pair, pair));
            for (Row row : other.rows()) {
                Row mine = serverRows.stream().filter(r -> r.viewers() == row.viewers()).findFirst().orElse(null);
                text.append(String.format("%7d | %8s %8.1f %8s | %8s %8.1f %8s | %8s %8s %8s | %8s %8s %8s%n", row.viewers(),
                        mine == null ? "-" : String.format("%.1f", mine.onTargetPercent()), row.onTargetPercent(), "",
                        optional(cpuPerFrame(mine)), row.cpuMicrosPerFrame(), optional(row.cpuMicrosPerFrame() / cpuPerFrame(mine)),
                        optional(mine == null ? Double.NaN : mine.heapKbPerViewer()), optional(row.heapKbPerViewer()),
                        optional(mine == null ? Double.NaN : row.heapKbPerViewer() / mine.heapKbPerViewer()),
                        optional(mine == null ? Double.NaN : mine.rssKbPerViewer()), optional(row.rssKbPerViewer()),
                        optional(mine == null ? Double.NaN : row.rssKbPerViewer() / mine.rssKbPerViewer())));
            }
            text.append(String.format("%ntargets, %s connector against %s:%n", name, base));
            int most = other.rows().stream().filter(Row::passed).mapToInt(Row::viewers).max().orElse(0);
            target(text, most >= 1000, "viewers on target >= 1000: largest passing step " + most);
            worstRatio(text, other, "CPU per frame", 1.5, 50, Row::cpuMicrosPerFrame);
            worstRatio(text, other, "live heap per viewer", 1.2, 50, Row::heapKbPerViewer);
            worstRatio(text, other, "RSS per viewer", 1.3, 2000, Row::rssKbPerViewer);
            if (other.stalled() != null) {
                target(text, other.stalled().passed(), String.format("with 10 %% never reading the rest stay on target: %.1f %% on target at %d viewers",
                        other.stalled().onTargetPercent(), other.stalled().viewers()));
            }
        }
        return text.toString();
    }

    /** The worst ratio of a figure between the steps (from {@code fromViewers} up) both connectors ran. */
    private void worstRatio(StringBuilder text, Compared other, String what, double limit, int fromViewers,
            java.util.function.ToDoubleFunction<Row> figure) {
        double worst = Double.NaN;
        int worstAt = 0;
        for (Row row : other.rows()) {
            Row mine = serverRows.stream().filter(r -> r.viewers() == row.viewers()).findFirst().orElse(null);
            double ratio = mine == null ? Double.NaN : figure.applyAsDouble(row) / figure.applyAsDouble(mine);
            if (row.viewers() >= fromViewers && !Double.isNaN(ratio) && (Double.isNaN(worst) || ratio > worst)) {
                worst = ratio;
                worstAt = row.viewers();
            }
        }
        if (Double.isNaN(worst)) {
            text.append(String.format("  [ -- ] %s within %.1fx: no step of %d viewers or more in both runs%n", what, limit, fromViewers));
        } else {
            target(text, worst <= limit, String.format("%s within %.1fx (steps >= %d viewers): worst %.2fx at %d viewers",
                    what, limit, fromViewers, worst, worstAt));
        }
    }

    /** The Tomcat on the class path the server runs with (-Dtomcat=11 switches it). */
    private static String tomcatVersion() {
        return org.apache.catalina.util.ServerInfo.getServerNumber();
    }

    private String targets() {
        StringBuilder text = new StringBuilder("targets:\n");
        double serverPeak = serverRows.stream().mapToDouble(Row::megabytesPerSecond).max().orElse(0);
        double limit = maxRows.stream().mapToDouble(Row::megabytesPerSecond).max().orElse(Double.NaN);
        target(text, serverPeak >= 0.8 * limit, String.format("throughput >= 80 %% of the trivial sender: peak %.0f MB/s of %.0f MB/s = %.0f %%",
                serverPeak, limit, 100 * serverPeak / limit));
        int most = serverRows.stream().filter(Row::passed).mapToInt(Row::viewers).max().orElse(0);
        target(text, most >= 1000, "viewers on target >= 1000: largest passing step " + most);
        Row at500 = serverRows.stream().filter(row -> row.viewers() == 500).findFirst().orElse(null);
        if (at500 == null) {
            text.append("  [ -- ] freshness p99 <= 10 ms at 500 viewers: no step at 500\n");
        } else {
            target(text, at500.arrivalMillis(99) <= 10, String.format(
                    "freshness p99 <= 10 ms at 500 viewers, from arrival at the server: %.1f ms (from the upstream's serve time: %.1f ms)",
                    at500.arrivalMillis(99), at500.freshnessMillis(99)));
        }
        Row first = serverRows.get(0);
        Row last = serverRows.get(serverRows.size() - 1);
        target(text, last.threads() - first.threads() <= 4, String.format("thread count flat: %d threads at %d viewers, %d at %d",
                first.threads(), first.viewers(), last.threads(), last.viewers()));
        Row heapRow = serverRows.stream().filter(row -> row.viewers() >= 50).reduce((a, b) -> b).orElse(last);
        target(text, heapRow.heapKbPerViewer() < 16, String.format("live heap per viewer < 16 KB: %.1f KB at %d viewers",
                heapRow.heapKbPerViewer(), heapRow.viewers()));
        if (stalledRow == null) {
            text.append("  [ -- ] with 10 % never reading the rest stay on target: not run\n");
        } else {
            target(text, stalledRow.passed(), String.format("with 10 %% never reading the rest stay on target: %.1f %% on target at %d viewers",
                    stalledRow.onTargetPercent(), stalledRow.viewers()));
        }
        double worst = 0;
        int worstAt = 0;
        for (int i = 0; i < pacedRows.size(); i++) {
            double ratio = serverRows.get(i).cpuMicrosPerFrame() / pacedRows.get(i).cpuMicrosPerFrame();
            if (serverRows.get(i).viewers() >= 50 && ratio > worst) {
                worst = ratio;
                worstAt = serverRows.get(i).viewers();
            }
        }
        target(text, worst <= 2, String.format("CPU per frame within 2x of the trivial sender (steps >= 50 viewers): worst %.1fx at %d viewers",
                worst, worstAt));
        return text.toString();
    }

    private static void target(StringBuilder text, boolean met, String what) {
        text.append(met ? "  [ ok ] " : "  [MISS] ").append(what).append('\n');
    }

    private String csv() {
        StringBuilder text = new StringBuilder("scenario,viewers,held,measured,on_target_pct,fps_min,fps_p5,fps_median,"
                + "mb_per_s,cpu_us_per_frame,cpu_pct,rss_kb_per_viewer,heap_kb_per_viewer,threads,fresh_p50_ms,fresh_p99_ms,"
                + "client_cpu_pct,machine_idle_pct\n");
        List<Row> all = new ArrayList<>(serverRows);
        if (stalledRow != null) {
            all.add(stalledRow);
        }
        for (Compared other : compared) {
            all.addAll(other.rows());
            if (other.stalled() != null) {
                all.add(other.stalled());
            }
        }
        all.addAll(pacedRows);
        all.addAll(maxRows);
        all.addAll(ceilingRows);
        for (Row row : all) {
            text.append(String.format("%s,%d,%d,%d,%.2f,%.2f,%.2f,%.2f,%.2f,%.2f,%.1f,%s,%s,%d,%s,%s,%.1f,%.1f%n",
                    row.scenario(), row.viewers(), row.window().held(), row.window().measured(), row.onTargetPercent(),
                    row.fpsPercentile(0), row.fpsPercentile(5), row.fpsPercentile(50), row.megabytesPerSecond(),
                    row.cpuMicrosPerFrame(), row.cpuPercent(), csvNumber(row.rssKbPerViewer()),
                    csvNumber(row.heapKbPerViewer()), row.threads(), csvNumber(row.freshnessMillis(50)),
                    csvNumber(row.freshnessMillis(99)), row.clientCpuPercent(), row.machineIdlePercent()));
        }
        return text.toString();
    }

    private static String csvNumber(double value) {
        return Double.isNaN(value) ? "" : String.format("%.2f", value);
    }

    // ---- Helpers ----

    /** Nearest-rank percentile; sorts the array. */
    static double percentile(double[] values, double p) {
        if (values.length == 0) {
            return Double.NaN;
        }
        Arrays.sort(values);
        int rank = (int) Math.ceil(p / 100 * values.length);
        return values[Math.max(0, Math.min(values.length - 1, rank - 1))];
    }

    private int[] steps() {
        String list = text("bench.steps", quick ? "1,50,200" : "1,50,200,500,1000,2000,4000");
        return Arrays.stream(list.split(",")).map(String::trim).mapToInt(Integer::parseInt)
                .filter(n -> n > 0 && n <= maxViewers).toArray();
    }

    static String text(String property, String fallback) {
        String value = System.getProperty(property);
        return value == null || value.isBlank() ? fallback : value;
    }

    static double number(String property, double fallback) {
        return Double.parseDouble(text(property, String.valueOf(fallback)));
    }

    private static String trim(double value) {
        return value == Math.rint(value) ? String.valueOf((long) value) : String.valueOf(value);
    }

    static void log(String message) {
        System.out.printf("[bench %tT] %s%n", System.currentTimeMillis(), message);
    }
}

package org.mjpegserver.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * The stream-source scenario ({@code -Dbench.scenario=stream-source}): the same viewers served from a camera that
 * streams 30 fps of the benchmark's 1280x720 pictures (~100 KB) and from the snapshot camera, side by side in one
 * run, each by a server JVM of its own; then what relaying a 30 fps stream costs while nobody watches (every part
 * read, one a second taken, the rest dropped) against a server whose only image rests. Prints the table and
 * writes it to {@code target/bench/stream-source.txt}.
 * <p>
 * System properties: {@code bench.viewers} (1000), {@code bench.warmupSeconds} (3), {@code bench.measureSeconds}
 * (10), and those {@link Benchmark} reads for the server ({@code bench.war}, {@code bench.out},
 * {@code bench.connector}, {@code bench.tomcatOpens}).
 */
final class StreamSourceBenchmark {

    private static final String STREAM_PATH = "/images/" + Benchmark.IMAGE + "/stream";
    private static final double UPSTREAM_FPS = 30;
    /** An idle JVM is still compiling and collecting for a while after start: let that pass before measuring. */
    private static final long IDLE_SETTLE_MILLIS = 15_000;

    /** One measured window of one server. */
    private record Result(String scenario, Benchmark.Row row, double upstreamFps) {
    }

    private final int viewers = (int) Benchmark.number("bench.viewers", 1000);
    private final double warmupSeconds = Benchmark.number("bench.warmupSeconds", 3);
    private final double measureSeconds = Benchmark.number("bench.measureSeconds", 10);
    private final Path out = Path.of(Benchmark.text("bench.out", "target/bench")).toAbsolutePath();
    private final Path war = Path.of(Benchmark.text("bench.war", "target/mjpeg-server.war")).toAbsolutePath();
    private final List<Result> results = new ArrayList<>();
    private ChildJvm server;

    static void main(String[] args) throws Exception {
        Locale.setDefault(Locale.ROOT);
        StreamSourceBenchmark benchmark = new StreamSourceBenchmark();
        Runtime.getRuntime().addShutdownHook(new Thread(benchmark::kill));
        try {
            benchmark.run();
        } finally {
            benchmark.kill();
        }
        System.exit(0);
    }

    private void run() throws Exception {
        String loadBefore = Benchmark.loadAverage();
        Files.createDirectories(out);
        List<byte[]> pool = FramePool.generate(20, 100_000);
        try (Upstream snapshots = new Upstream(pool); StreamUpstream stream = new StreamUpstream(pool, UPSTREAM_FPS);
                LoadClient client = new LoadClient()) {
            // The load client's own JIT warm-up would otherwise fall on whichever row runs first: a throwaway row.
            served(client, "warm-up", config(snapshots.url(), 5, 5), snapshots::served);
            results.clear();
            // The snapshot scenario's config; the stream differs by its URL alone, then by taking what viewers want.
            served(client, "snapshot source", config(snapshots.url(), 5, 5), snapshots::served);
            served(client, "stream source", config(stream.url(), 5, 5), stream::sent);
            served(client, "stream source, takes 15", config(stream.url(), 5, 30), stream::sent);
            unwatched("stream, 0 viewers", config(stream.url(), 1, 1), stream::sent);
            unwatched("resting, 0 viewers", config(snapshots.url(), 0, 5), snapshots::served);
        }
        String report = report(loadBefore, Benchmark.loadAverage());
        System.out.print(report);
        Files.writeString(out.resolve("stream-source.txt"), report, StandardCharsets.UTF_8);
    }

    private static String config(String url, double fetchMinimumFps, double fetchMaximumFps) {
        return "mjpeg-server:\n"
                + "  stream_fps: " + (int) Benchmark.FPS + "\n"
                + "  fetch_minimum_fps: " + fetchMinimumFps + "\n"
                + "  fetch_maximum_fps: " + fetchMaximumFps + "\n"
                + "  image_validation: valid_jpeg\n"
                + "  image_timeout_seconds: 30\n"
                + "  image_timeout_behavior: last_frame\n"
                + "images:\n"
                + "  " + Benchmark.IMAGE + ":\n"
                + "    url: " + url + "\n";
    }

    /** The viewers on a server of their own: CPU per delivered frame. */
    private void served(LoadClient client, String scenario, String config, LongSupplier upstreamFrames) throws Exception {
        InetSocketAddress address = start(scenario, config);
        client.open(address, STREAM_PATH, viewers, 0);
        long deadline = System.nanoTime() + Duration.ofSeconds(30 + viewers / 50).toNanos();
        while (client.held() + client.failed() < viewers && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        Thread.sleep((long) (warmupSeconds * 1000));
        long frames = upstreamFrames.getAsLong();
        long cpu = server.cpuNanos();
        client.startWindow();
        Thread.sleep((long) (measureSeconds * 1000));
        LoadClient.Window window = client.endWindow();
        record(scenario, window, server.cpuNanos() - cpu, upstreamFrames.getAsLong() - frames);
        client.closeAll();
        stop();
    }

    /** A server nobody watches: its CPU over the window, once start-up has settled. */
    private void unwatched(String scenario, String config, LongSupplier upstreamFrames) throws Exception {
        start(scenario, config);
        Thread.sleep(IDLE_SETTLE_MILLIS);
        long frames = upstreamFrames.getAsLong();
        long cpu = server.cpuNanos();
        long started = System.nanoTime();
        Thread.sleep((long) (measureSeconds * 1000));
        double seconds = (System.nanoTime() - started) / 1e9;
        LoadClient.Window none = new LoadClient.Window(seconds, new double[0], 0, 0, new long[0], new long[0], 0, 0, 0);
        record(scenario, none, server.cpuNanos() - cpu, upstreamFrames.getAsLong() - frames);
        stop();
    }

    private void record(String scenario, LoadClient.Window window, long cpuNanos, long upstreamFrames) {
        Benchmark.Row row = new Benchmark.Row(scenario, viewers, window, cpuNanos, 0, 0, 0, 0);
        Result result = new Result(scenario, row, upstreamFrames / window.seconds());
        results.add(result);
        System.out.println(line(result));
    }

    private InetSocketAddress start(String scenario, String yaml) throws Exception {
        Path config = out.resolve("config-" + scenario.replaceAll("[^a-z0-9]+", "-") + ".yaml");
        Files.writeString(config, yaml, StandardCharsets.UTF_8);
        List<String> options = new ArrayList<>(List.of("-Xmx1g", "-Dmjpeg.server.config=" + config));
        options.addAll(Arrays.asList(Benchmark.text("bench.tomcatOpens", Benchmark.DEFAULT_OPENS).trim().split("\\s+")));
        Path logging = Path.of("src/test/resources/logging.properties").toAbsolutePath();
        if (Files.isRegularFile(logging)) {
            options.add("-Djava.util.logging.config.file=" + logging);
        }
        server = new ChildJvm("tomcat-stream-source", BenchServer.class.getName(),
                Benchmark.classpath(entry -> entry.getFileName().toString().startsWith("tomcat-") || entry.endsWith("test-classes")),
                options, List.of(war.toString(), out.resolve("tomcat").toString(), Benchmark.text("bench.connector", Benchmark.CONNECTOR)),
                out.resolve("tomcat-stream-source.log"));
        int port = server.awaitReady(120)[0];
        Benchmark.awaitFrame(port);
        return new InetSocketAddress("127.0.0.1", port);
    }

    private void stop() {
        server.close();
        server = null;
    }

    private void kill() {
        if (server != null) {
            server.kill();
        }
    }

    private static final String HEADER = String.format("%-26s %7s %6s %7s %6s %6s %8s %9s %6s %9s",
            "scenario", "viewers", "held", "on-tgt%", "fps p5", "median", "MB/s", "CPU us/fr", "CPU %", "upstream/s");

    private static String line(Result result) {
        Benchmark.Row row = result.row();
        boolean watched = row.window().measured() > 0;
        return String.format("%-26s %7d %6d %7.1f %6.1f %6.1f %8.1f %9.1f %6.1f %9.1f", result.scenario(),
                watched ? row.viewers() : 0, row.window().held(), row.onTargetPercent(), watched ? row.fpsPercentile(5) : 0,
                watched ? row.fpsPercentile(50) : 0, row.megabytesPerSecond(), watched ? row.cpuMicrosPerFrame() : Double.NaN,
                row.cpuPercent(), result.upstreamFps());
    }

    private String report(String loadBefore, String loadAfter) {
        StringBuilder text = new StringBuilder(String.format(
                "stream-source scenario: %d viewers at %d fps; upstream %s fps of %dx%d JPEGs (~100 KB), valid_jpeg; "
                        + "%s s measured after %s s warm-up; one server JVM per row, %d CPUs%n"
                        + "load average before: %s, after: %s%n%s%n",
                viewers, (int) Benchmark.FPS, (int) UPSTREAM_FPS, FramePool.WIDTH, FramePool.HEIGHT, measureSeconds, warmupSeconds,
                Runtime.getRuntime().availableProcessors(), loadBefore, loadAfter, HEADER));
        results.forEach(result -> text.append(line(result)).append('\n'));
        double snapshot = results.get(0).row().cpuMicrosPerFrame();
        text.append(String.format("%nCPU per delivered frame, stream / snapshot source: %.2f (same config), %.2f (taking 15 fps); target <= 1.10%n",
                results.get(1).row().cpuMicrosPerFrame() / snapshot, results.get(2).row().cpuMicrosPerFrame() / snapshot));
        text.append(String.format("Relaying a %d fps stream nobody watches: %.1f %% of one core more than a resting image; target < 5 %%%n",
                (int) UPSTREAM_FPS, results.get(3).row().cpuPercent() - results.get(4).row().cpuPercent()));
        return text.toString();
    }
}

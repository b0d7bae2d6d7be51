package org.mjpegserver.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code -Dbench.scenario=sizes}: what viewers at {@code ?width=320} cost beside viewers of the full size. In one
 * server, side by side: N full-size viewers alone, the same N plus N at 320 wide, and 2N full-size viewers. The
 * small viewers' cost beyond the one scale per new frame is compared with the full-size run's CPU per second; the
 * scale's own cost per 1280x720 frame comes from {@code /metrics}.
 */
final class SizesScenario {

    /** Opens {@code viewers} streams of each path in turn and measures them together. */
    interface Measure {
        Benchmark.Row run(String scenario, String[] paths, int viewers) throws Exception;
    }

    /** The small viewers may add at most this share of the full-size run's CPU, beyond the scaling itself. */
    private static final double TARGET_PERCENT = 10;
    static final int WIDTH = 320;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final int port;
    private final String image;
    private final Measure measure;
    private final List<Benchmark.Row> rows = new ArrayList<>();
    private double scaleMillisPerFrame = Double.NaN;
    private double framesScaled;
    private double newFramesPerSecond = Double.NaN;
    private Benchmark.Row floorFull;
    private Benchmark.Row floorSmall;

    SizesScenario(int port, String image, Measure measure) {
        this.port = port;
        this.image = image;
        this.measure = measure;
    }

    void run(String streamPath, int viewers) throws Exception {
        String small = streamPath + "?width=" + WIDTH;
        step("full size", new String[] {streamPath}, viewers);
        double scaledBefore = metric("mjpeg_frames_scaled_total");
        double secondsBefore = metric("mjpeg_scale_cpu_seconds_total");
        double fetchesBefore = metric("mjpeg_fetches_total", ",result=\"ok\"");
        long started = System.nanoTime();
        step("full + " + WIDTH + " wide", new String[] {streamPath, small}, viewers);
        framesScaled = metric("mjpeg_frames_scaled_total") - scaledBefore;
        scaleMillisPerFrame = (metric("mjpeg_scale_cpu_seconds_total") - secondsBefore) * 1000 / framesScaled;
        newFramesPerSecond = (metric("mjpeg_fetches_total", ",result=\"ok\"") - fetchesBefore) * 1e9 / (System.nanoTime() - started);
        step(WIDTH + " wide", new String[] {small}, viewers);
        step("full size", new String[] {streamPath}, 2 * viewers);
    }

    /** The trivial sender's rows, full size and small, for the floor of what a small viewer can cost. */
    void floor(Benchmark.Row full, Benchmark.Row small) {
        floorFull = full;
        floorSmall = small;
    }

    private void step(String scenario, String[] paths, int viewers) throws Exception {
        Benchmark.Row row = measure.run(scenario, paths, viewers);
        rows.add(row);
        Benchmark.log(Benchmark.line(row));
    }

    String report(String loadBefore, String loadAfter) {
        StringBuilder text = new StringBuilder();
        text.append(String.format("mjpeg-server sizes benchmark: %d fps per viewer, source 5 fps of %dx%d JPEGs (~100 KB), valid_jpeg; %d CPUs%n",
                (int) Benchmark.FPS, FramePool.WIDTH, FramePool.HEIGHT, Runtime.getRuntime().availableProcessors()));
        text.append(String.format("load average (1, 5, 15 min) before: %s, after: %s%n%n", loadBefore, loadAfter));
        text.append(Benchmark.SERVER_HEADER).append('\n').append(Benchmark.SERVER_HEADER2).append('\n');
        rows.forEach(row -> text.append(Benchmark.line(row)).append('\n'));
        if (floorFull != null) {
            text.append(Benchmark.line(floorFull)).append('\n').append(Benchmark.line(floorSmall)).append('\n');
        }
        Benchmark.Row full = rows.get(0);
        Benchmark.Row mixed = rows.get(1);
        Benchmark.Row smallOnly = rows.get(2);
        Benchmark.Row twice = rows.get(3);
        double scalePercent = scaleMillisPerFrame * newFramesPerSecond / 10;
        double added = mixed.cpuPercent() - full.cpuPercent();
        double beyond = added - scalePercent;
        double share = 100 * beyond / full.cpuPercent();
        text.append(String.format("%nscaling: %.0f frames scaled to %d wide, %.1f ms of CPU each per %dx%d frame (decode, resample, encode);"
                + " %.1f new frames/s = %.1f %% of a core%n", framesScaled, WIDTH, scaleMillisPerFrame, FramePool.WIDTH,
                FramePool.HEIGHT, newFramesPerSecond, scalePercent));
        text.append(String.format("CPU %% of a core: %d full alone %.1f; + %d at %d wide %.1f (+%.1f); %d at %d wide alone %.1f;"
                + " %d full %.1f (+%.1f)%n", full.viewers(), full.cpuPercent(), full.viewers(), WIDTH, mixed.cpuPercent(), added,
                smallOnly.viewers(), WIDTH, smallOnly.cpuPercent(), twice.viewers(), twice.cpuPercent(),
                twice.cpuPercent() - full.cpuPercent()));
        text.append(String.format("a viewer at %d wide costs %.0f %% of one at full size, scaling included%n", WIDTH,
                100 * added / (twice.cpuPercent() - full.cpuPercent())));
        if (floorFull != null) {
            text.append(String.format("floor, the trivial sender (no container, shared direct buffers, one write per frame): %d viewers"
                    + " full size %.1f %% of a core, %d at %d wide %.1f %% = %.0f %% of the full-size viewers' CPU%n",
                    floorFull.viewers(), floorFull.cpuPercent(), floorSmall.viewers(), WIDTH, floorSmall.cpuPercent(),
                    100 * floorSmall.cpuPercent() / floorFull.cpuPercent()));
        }
        text.append(String.format("target:%n  [%s] the small viewers add <= %.0f %% to the full-size run's CPU beyond the scaling:"
                + " %.1f %% of a core = %.0f %%%n", share <= TARGET_PERCENT ? " ok " : "MISS", TARGET_PERCENT, beyond, share));
        return text.toString();
    }

    private double metric(String name) throws Exception {
        return metric(name, "");
    }

    /** A sample of the benchmark image from {@code /metrics}; {@code labels} are those after its image label. */
    private double metric(String name, String labels) throws Exception {
        String sample = name + "{image=\"" + image + "\"" + labels + "} ";
        String body = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString()).body();
        for (String line : body.split("\n")) {
            if (line.startsWith(sample)) {
                return Double.parseDouble(line.substring(sample.length()).trim());
            }
        }
        throw new IllegalStateException("no sample " + sample + "in /metrics");
    }
}

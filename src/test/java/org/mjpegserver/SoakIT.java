package org.mjpegserver;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mjpegserver.ResourceProbe.eventually;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import java.util.logging.Level;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.mjpegserver.ResourceProbe.Snapshot;
import org.mjpegserver.testing.Deployments;
import org.mjpegserver.testing.FakeCamera;
import org.mjpegserver.testing.Http;
import org.mjpegserver.testing.MjpegFormatException;
import org.mjpegserver.testing.MjpegReader;
import org.mjpegserver.testing.Routes;
import org.mjpegserver.testing.TestImages;
import org.mjpegserver.testing.LogCapture;

/**
 * Soak run: a few hundred viewers connect to the real WAR, read a random number of frames (some slowly, some at a
 * frame rate of their own), leave and come back, for {@code -Dsoak.seconds} (60 by default), while three of the
 * four cameras keep going down and coming back. Every frame is checked against the strict MJPEG parser and
 * against the images the camera really served. A malformed stream, an unexpected status, a connection failure
 * or a stream ending early counts as an error; a stream ended, or refused with 503, because its source was down
 * under {@code disconnect} is expected and counted apart. Threads, open files and heap after GC must be the
 * same at the end as after the warm-up. The report goes to stdout and target/soak/report.txt.
 *
 * <p>Long version: {@code mvn verify -Dit.test=SoakIT -Dsoak.seconds=600}.
 */
final class SoakIT {

    private static final long SECONDS = Long.getLong("soak.seconds", 60);
    private static final int VIEWERS = Integer.getInteger("soak.viewers", 250);
    private static final long WARM_UP_SECONDS = Math.min(10, Math.max(3, SECONDS / 6));
    private static final long HEAP_GROWTH_LIMIT = 20L * 1024 * 1024;
    /** How long after its camera was last down a feed may still be refusing: timeout, backoff and a fetch. */
    private static final Duration DOWN_EXPLAINS = Duration.ofSeconds(5);
    private static final Predicate<String> TEST_THREADS = name -> name.startsWith("soak-viewer-") || name.equals("fake-camera")
            || name.startsWith("HttpClient-");

    /** One image of the run: its camera's schedule and the JPEGs it serves. */
    private record Source(String id, String behavior, Duration up, Duration down, long startNanos, Set<String> jpegs) {

        boolean steady() {
            return down.isZero();
        }

        boolean downAt(long nanos) {
            long period = up.toNanos() + down.toNanos();
            return !steady() && Math.floorMod(nanos - startNanos, period) >= up.toNanos();
        }

        /** Whether the camera was down at some moment of the last {@link #DOWN_EXPLAINS}. */
        boolean downRecently(long nanos) {
            return downBetween(nanos - DOWN_EXPLAINS.toNanos(), nanos);
        }

        boolean downBetween(long fromNanos, long toNanos) {
            for (long t = fromNanos; t <= toNanos; t += 50_000_000) {
                if (downAt(t)) {
                    return true;
                }
            }
            return false;
        }
    }

    /** What the viewers saw, summed over all of them. */
    private static final class Tally {
        final AtomicLong connects = new AtomicLong();
        final AtomicLong streamsServed = new AtomicLong();
        final AtomicLong framesReceived = new AtomicLong();
        final AtomicLong bytesReceived = new AtomicLong();
        final AtomicLong slowStreams = new AtomicLong();
        final AtomicLong errors = new AtomicLong();
        final AtomicLong endedWhileDown = new AtomicLong();
        final AtomicLong refusedWhileDown = new AtomicLong();
        final List<String> firstErrors = java.util.Collections.synchronizedList(new ArrayList<>());
        final Map<String, Set<String>> otherJpegs = new ConcurrentHashMap<>();

        void error(String what) {
            errors.incrementAndGet();
            if (firstErrors.size() < 20) {
                firstErrors.add(Instant.now() + " " + what);
            }
        }
    }

    @Test
    void hundredsOfViewersComingAndGoingWhileSourcesFlapGetValidStreamsAndLeaveNothingBehind() throws Exception {
        String previousConfig = System.getProperty(ConfigLocator.PROPERTY);
        try (FakeCamera camera = FakeCamera.http();
                LogCapture log = LogCapture.of("org.apache", "org.mjpegserver").minimum(Level.SEVERE);
                EmbeddedTomcat tomcat = EmbeddedTomcat.start(Integer.getInteger("soak.port", 0))) {
            List<Source> sources = List.of(
                    source(camera, "steady", "last_frame", Duration.ofSeconds(1), Duration.ZERO),
                    source(camera, "flap_disconnect", "disconnect", Duration.ofSeconds(6), Duration.ofSeconds(4)),
                    source(camera, "flap_stale", "stale_image", Duration.ofSeconds(5), Duration.ofSeconds(5)),
                    source(camera, "flap_last", "last_frame", Duration.ofSeconds(4), Duration.ofSeconds(3)));
            StringBuilder yaml = new StringBuilder("""
                    mjpeg-server:
                      stream_fps: 5
                      fetch_maximum_fps: 10
                      image_timeout_seconds: 1
                    images:
                    """);
            for (Source source : sources) {
                yaml.append("  ").append(source.id()).append(":\n    url: \"").append(camera.url("/" + source.id() + ".jpg"))
                        .append("\"\n    image_timeout_behavior: ").append(source.behavior()).append('\n');
            }
            EmbeddedTomcat.useConfig(Deployments.writeConfig(yaml.toString()));
            tomcat.deploy(EmbeddedTomcat.war());
            Snapshot beforeWarmUp = Snapshot.take(TEST_THREADS);

            // The warm-up fills what Tomcat and the JDK keep once they have seen this load (processor and buffer
            // caches, request threads, JIT); "start" is measured after it, so that the comparison shows growth.
            run(tomcat, sources, WARM_UP_SECONDS, new Tally());
            boolean warmUpStreamsClosed = eventually(15_000, () -> openStreams(tomcat) == 0);
            // Closed connections give their descriptors back a little later (Tomcat's poller closes sockets).
            eventually(15_000, () -> ResourceProbe.openFiles() <= beforeWarmUp.openFiles() + 5);
            Snapshot start = Snapshot.take(TEST_THREADS);
            int startPool = poolThreads();
            long framesSentBefore = framesSent(tomcat);

            long started = System.nanoTime();
            Tally tally = run(tomcat, sources, SECONDS, new Tally());
            double elapsed = (System.nanoTime() - started) / 1e9;

            boolean streamsClosed = eventually(15_000, () -> openStreams(tomcat) == 0);
            long framesSent = framesSent(tomcat) - framesSentBefore;
            String fetches = fetchCounts(tomcat);
            boolean threadsFlat = eventually(15_000, () -> Snapshot.take(TEST_THREADS).threadsOutsidePool() <= start.threadsOutsidePool());
            boolean filesFlat = eventually(15_000, () -> ResourceProbe.openFiles() <= Math.min(start.openFiles(), beforeWarmUp.openFiles()) + 5);
            Snapshot end = Snapshot.take(TEST_THREADS);
            int endPool = poolThreads();

            String report = report(elapsed, sources, tally, framesSent, fetches, beforeWarmUp, start, end, startPool, endPool,
                    log.texts());
            System.out.println(report);
            Path file = Path.of("target", "soak", "report.txt");
            Files.createDirectories(file.getParent());
            Files.writeString(file, report, StandardCharsets.UTF_8);

            assertAll(
                    () -> assertEquals(0, tally.errors.get(), () -> "viewer errors, first ones: " + tally.firstErrors),
                    () -> assertTrue(tally.streamsServed.get() >= VIEWERS, "the viewers hardly got any stream"),
                    () -> assertTrue(tally.endedWhileDown.get() + tally.refusedWhileDown.get() > 0,
                            "no stream of the disconnect image ever saw its source down: the run did not exercise flapping"),
                    () -> tally.otherJpegs.forEach((id, others) -> assertTrue(id.equals("flap_stale") && others.size() <= 1,
                            () -> id + " sent frames its camera never served: " + others.size() + " distinct")),
                    () -> assertTrue(warmUpStreamsClosed && streamsClosed, "the server still counts open streams after all viewers left"),
                    () -> assertEquals(List.of(), log.texts(), "SEVERE log records"),
                    () -> assertTrue(threadsFlat, () -> "threads outside Tomcat's request pool: " + end.threadsOutsidePool()
                            + " vs " + start.threadsOutsidePool() + " at the start: " + ResourceProbe.threadCensus()),
                    () -> assertTrue(filesFlat, () -> "open files: " + end.openFiles() + " vs " + start.openFiles()
                            + " at the start, " + beforeWarmUp.openFiles() + " before the warm-up: " + ResourceProbe.openFilesCensus()),
                    () -> assertTrue(end.heapAfterGcBytes() - start.heapAfterGcBytes() <= HEAP_GROWTH_LIMIT, () -> String.format(
                            Locale.ROOT, "heap after GC grew from %.1f MB to %.1f MB", start.heapMb(), end.heapMb())));
        } finally {
            if (previousConfig == null) {
                System.clearProperty(ConfigLocator.PROPERTY);
            } else {
                System.setProperty(ConfigLocator.PROPERTY, previousConfig);
            }
        }
    }

    /** Serves three distinct JPEGs in turn at /{id}.jpg, flapping unless {@code down} is zero. */
    private static Source source(FakeCamera camera, String id, String behavior, Duration up, Duration down) {
        List<byte[]> jpegs = List.of(TestImages.jpeg(160, 120, id + " 1"), TestImages.jpeg(160, 120, id + " 2"),
                TestImages.jpeg(160, 120, id + " 3"));
        long startNanos = System.nanoTime();
        camera.serve("/" + id + ".jpg", down.isZero() ? Routes.sequence(jpegs) : Routes.flapping(up, down, Routes.sequence(jpegs)));
        Set<String> known = new HashSet<>();
        jpegs.forEach(jpeg -> known.add(key(jpeg)));
        return new Source(id, behavior, up, down, startNanos, Set.copyOf(known));
    }

    private static String key(byte[] jpeg) {
        return Base64.getEncoder().encodeToString(jpeg);
    }

    /** Runs {@link #VIEWERS} viewers, each coming and going until {@code seconds} have passed. */
    private static Tally run(EmbeddedTomcat tomcat, List<Source> sources, long seconds, Tally tally) throws InterruptedException {
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        List<Thread> viewers = new ArrayList<>();
        for (int i = 0; i < VIEWERS; i++) {
            Thread viewer = new Thread(() -> {
                while (System.nanoTime() < deadline) {
                    view(tomcat.base(), sources.get(ThreadLocalRandom.current().nextInt(sources.size())), deadline, tally);
                    ResourceProbe.sleep(ThreadLocalRandom.current().nextLong(300));
                }
            }, "soak-viewer-" + i);
            viewer.setDaemon(true);
            viewers.add(viewer);
            viewer.start();
            // Arrivals spread over the first second rather than all at once.
            Thread.sleep(4);
        }
        for (Thread viewer : viewers) {
            // A viewer finishes its visit after the deadline: at most a read timeout and a slow frame later.
            viewer.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000 + 60_000));
            assertTrue(!viewer.isAlive(), () -> viewer.getName() + " is stuck");
        }
        return tally;
    }

    /** One visit: connect, read a random number of frames (maybe slowly), leave. */
    private static void view(String base, Source source, long deadline, Tally tally) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        boolean slow = random.nextInt(100) < 15;
        int wanted = 1 + random.nextInt(40);
        int[] rates = {1, 2, 5, 10, 15};
        String query = random.nextInt(100) < 30 ? "?frame_rate=" + rates[random.nextInt(rates.length)] : "";
        String url = base + "images/" + source.id() + "/stream" + query;
        tally.connects.incrementAndGet();
        MjpegReader reader;
        try {
            reader = MjpegReader.open(url);
        } catch (MjpegFormatException e) {
            if (e.getMessage().contains("got 503") && source.behavior().equals("disconnect") && source.downRecently(System.nanoTime())) {
                tally.refusedWhileDown.incrementAndGet();
            } else {
                tally.error(url + ": " + e.getMessage());
            }
            return;
        } catch (IOException | RuntimeException e) {
            tally.error(url + ": cannot connect: " + e);
            return;
        }
        long opened = System.nanoTime();
        tally.streamsServed.incrementAndGet();
        if (slow) {
            tally.slowStreams.incrementAndGet();
        }
        try (reader) {
            for (int i = 0; i < wanted && System.nanoTime() < deadline; i++) {
                MjpegReader.Part part = reader.next();
                if (part == null) {
                    // The end reaches a slow viewer only after the frames still buffered on the way, so any
                    // outage since the stream opened can explain it.
                    if (source.behavior().equals("disconnect") && source.downBetween(opened, System.nanoTime())) {
                        tally.endedWhileDown.incrementAndGet();
                    } else {
                        tally.error(url + ": stream ended after " + i + " frames while its source was up");
                    }
                    return;
                }
                tally.framesReceived.incrementAndGet();
                tally.bytesReceived.addAndGet(part.jpeg().length);
                String key = key(part.jpeg());
                if (!source.jpegs().contains(key)) {
                    tally.otherJpegs.computeIfAbsent(source.id(), id -> ConcurrentHashMap.newKeySet()).add(key);
                }
                if (slow) {
                    ResourceProbe.sleep(200 + random.nextLong(800));
                }
            }
        } catch (IOException | RuntimeException e) {
            tally.error(url + ": " + e);
        }
    }

    private static final Pattern METRIC = Pattern.compile("(?m)^(\\w+)\\{([^}]*)} (\\S+)$");

    /** Sum of a Prometheus metric over the label sets whose labels contain {@code filter}. */
    private static double metric(String body, String name, String filter) {
        double sum = 0;
        Matcher m = METRIC.matcher(body);
        while (m.find()) {
            if (m.group(1).equals(name) && m.group(2).contains(filter)) {
                sum += Double.parseDouble(m.group(3));
            }
        }
        return sum;
    }

    private static String metrics(EmbeddedTomcat tomcat) {
        var response = Http.getText(tomcat.base() + "metrics");
        assertEquals(200, response.statusCode(), "GET /metrics");
        return response.body();
    }

    private static long openStreams(EmbeddedTomcat tomcat) {
        return (long) metric(metrics(tomcat), "mjpeg_open_streams", "");
    }

    private static long framesSent(EmbeddedTomcat tomcat) {
        return (long) metric(metrics(tomcat), "mjpeg_frames_sent_total", "");
    }

    private static String fetchCounts(EmbeddedTomcat tomcat) {
        String body = metrics(tomcat);
        return String.format(Locale.ROOT, "%.0f ok, %.0f failed", metric(body, "mjpeg_fetches_total", "result=\"ok\""),
                metric(body, "mjpeg_fetches_total", "result=\"error\""));
    }

    private static int poolThreads() {
        return (int) ResourceProbe.threadNames().stream().filter(ResourceProbe.TOMCAT_REQUEST_POOL).count();
    }

    private static String report(double seconds, List<Source> sources, Tally tally, long framesSent, String fetches,
            Snapshot before, Snapshot start, Snapshot end, int startPool, int endPool, List<String> severe) {
        Map<String, String> rows = new LinkedHashMap<>();
        rows.put("duration", String.format(Locale.ROOT, "%.0f s (after a %d s warm-up)", seconds, WARM_UP_SECONDS));
        rows.put("viewers (concurrent)", VIEWERS + ", each coming and going at random; 15% read slowly, 30% ask a frame_rate");
        StringBuilder images = new StringBuilder();
        for (Source source : sources) {
            images.append(images.length() == 0 ? "" : "; ").append(source.id()).append(source.steady() ? " (steady)"
                    : " (up " + source.up().toSeconds() + " s / down " + source.down().toSeconds() + " s, " + source.behavior() + ")");
        }
        rows.put("images", images.toString());
        rows.put("connections", String.valueOf(tally.connects.get()));
        rows.put("streams served", tally.streamsServed.get() + " (" + tally.slowStreams.get() + " read slowly)");
        rows.put("frames received", String.format(Locale.ROOT, "%d (%.1f MB of JPEG, %.0f frames/s)", tally.framesReceived.get(),
                tally.bytesReceived.get() / 1048576.0, tally.framesReceived.get() / seconds));
        rows.put("frames sent (server)", String.valueOf(framesSent));
        rows.put("camera fetches", fetches);
        rows.put("errors", String.valueOf(tally.errors.get()));
        rows.put("ended, source down", tally.endedWhileDown.get() + " (expected: disconnect behaviour)");
        rows.put("refused 503, source down", tally.refusedWhileDown.get() + " (expected: disconnect behaviour)");
        rows.put("SEVERE log records", String.valueOf(severe.size()));
        StringBuilder out = new StringBuilder("mjpeg-server soak report\n");
        rows.forEach((name, value) -> out.append(String.format(Locale.ROOT, "%-26s %s%n", name, value)));
        out.append(String.format(Locale.ROOT, "%n%-40s %14s %14s %14s%n", "resource", "before warm-up", "start", "end"));
        out.append(String.format(Locale.ROOT, "%-40s %14d %14d %14d%n", "threads (all)", before.threads(), start.threads(), end.threads()));
        out.append(String.format(Locale.ROOT, "%-40s %14d %14d %14d%n", "threads (without test and request pool)",
                before.threadsOutsidePool(), start.threadsOutsidePool(), end.threadsOutsidePool()));
        out.append(String.format(Locale.ROOT, "%-40s %14s %14d %14d%n", "Tomcat request pool threads", "", startPool, endPool));
        out.append(String.format(Locale.ROOT, "%-40s %14d %14d %14d%n", "open file descriptors", before.openFiles(), start.openFiles(),
                end.openFiles()));
        out.append(String.format(Locale.ROOT, "%-40s %14.1f %14.1f %14.1f%n", "heap after GC (MB)", before.heapMb(), start.heapMb(),
                end.heapMb()));
        if (tally.errors.get() > 0) {
            out.append("\nfirst errors:\n");
            tally.firstErrors.forEach(line -> out.append("  ").append(line).append('\n'));
        }
        severe.forEach(line -> out.append("SEVERE: ").append(line).append('\n'));
        return out.toString();
    }
}

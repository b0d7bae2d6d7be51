package org.mjpegserver.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.mjpegserver.testing.Deployments;
import org.mjpegserver.testing.FakeCamera;
import org.mjpegserver.testing.Http;
import org.mjpegserver.testing.MjpegReader;
import org.mjpegserver.testing.Routes;
import org.mjpegserver.testing.TestImages;

/**
 * GET /metrics (Prometheus text format) follows fetches and streams, and snapshots carry their length and support
 * HEAD and conditional requests: the still image comes from a file, which makes a new frame only when the file is
 * rewritten.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
final class MetricsAndSnapshotIT {

    private static final Duration WAIT = Duration.ofSeconds(15);
    /** Larger than Jersey's 8 KB response buffer, below which Jersey would count the length by itself. */
    private static final byte[] STILL = TestImages.jpeg(1280, 720, "still 1");
    private static final Pattern SAMPLE = Pattern.compile("(?m)^([a-z_]+(?:\\{[^}]*})?) (\\S+)$");

    private static FakeCamera camera;
    private static Path stillFile;

    @ArquillianResource
    private URL base;

    @Deployment(testable = false)
    static WebArchive deployment() {
        camera = FakeCamera.http();
        camera.serve("/broken.jpg", Routes.status(500));
        String yaml = String.join("\n",
                "images:",
                "  pattern:",
                "    url: 'testpattern:160x120'",
                "    stream_fps: 20",
                "  streamed:",
                "    url: 'testpattern:160x120'",
                "    stream_fps: 20",
                "  still:",
                "    url: 'file:still.jpg'",
                "    fetch_minimum_fps: 10",
                "  broken:",
                "    url: '" + camera.url("/broken.jpg") + "'",
                "    fetch_minimum_fps: 5",
                "    image_timeout_seconds: 1",
                "");
        WebArchive war = Deployments.war(yaml);
        // The config lives in a folder of its own; the file: source is relative to it.
        stillFile = Deployments.besideConfig("still.jpg", STILL);
        return war;
    }

    @AfterAll
    static void closeCamera() {
        if (camera != null) {
            camera.close();
        }
    }

    @Test
    void metricsCountFetchesByResultWithDurations() {
        // A fetch is counted before its duration is observed, so wait for both.
        Map<String, Double> metrics = waitForMetrics(m -> value(m, "mjpeg_fetches_total{image=\"pattern\",result=\"ok\"}") >= 2
                && value(m, "mjpeg_fetches_total{image=\"broken\",result=\"error\"}") >= 1
                && m.containsKey("mjpeg_fetch_duration_seconds_count{image=\"pattern\",result=\"ok\"}")
                && m.containsKey("mjpeg_fetch_duration_seconds_count{image=\"broken\",result=\"error\"}"));
        assertEquals(0, value(metrics, "mjpeg_fetches_total{image=\"broken\",result=\"ok\"}"));
        assertEquals(0, value(metrics, "mjpeg_fetches_total{image=\"pattern\",result=\"error\"}"));

        // The histogram: buckets up to +Inf, a count and a sum per image and result.
        String okPattern = "image=\"pattern\",result=\"ok\"";
        double count = value(metrics, "mjpeg_fetch_duration_seconds_count{" + okPattern + "}");
        assertTrue(count >= 1, "no fetch durations counted");
        assertEquals(count, value(metrics, "mjpeg_fetch_duration_seconds_bucket{" + okPattern + ",le=\"+Inf\"}"));
        assertTrue(value(metrics, "mjpeg_fetch_duration_seconds_bucket{" + okPattern + ",le=\"0.01\"}")
                <= value(metrics, "mjpeg_fetch_duration_seconds_bucket{" + okPattern + ",le=\"15.0\"}"));
        assertTrue(value(metrics, "mjpeg_fetch_duration_seconds_sum{" + okPattern + "}") > 0);
        assertTrue(value(metrics, "mjpeg_fetch_duration_seconds_count{image=\"broken\",result=\"error\"}") >= 1);
        assertTrue(metricsText().contains("# TYPE mjpeg_fetch_duration_seconds histogram"));

        // Fresh images had a frame moments ago; the broken one never had any.
        assertTrue(value(metrics, "mjpeg_seconds_since_last_frame{image=\"pattern\"}") < 5);
        assertTrue(metrics.containsKey("mjpeg_seconds_since_last_frame{image=\"broken\"}"), metrics.keySet().toString());
        waitForMetrics(m -> value(m, "mjpeg_stale{image=\"broken\"}") == 1);
        assertEquals(0, value(metrics, "mjpeg_stale{image=\"pattern\"}"));
        assertTrue(metrics.containsKey("mjpeg_frames_skipped_total{image=\"pattern\"}"), metrics.keySet().toString());
    }

    @Test
    void metricsFollowAnOpenStream() throws IOException {
        assertEquals(0, value(waitForMetrics(m -> true), "mjpeg_open_streams{image=\"streamed\"}"));
        try (MjpegReader reader = MjpegReader.open(base + "images/streamed/stream")) {
            reader.read(3);
            Map<String, Double> open = waitForMetrics(m -> value(m, "mjpeg_open_streams{image=\"streamed\"}") == 1
                    && value(m, "mjpeg_frames_sent_total{image=\"streamed\"}") >= 3);
            double frames = value(open, "mjpeg_frames_sent_total{image=\"streamed\"}");
            double bytes = value(open, "mjpeg_bytes_sent_total{image=\"streamed\"}");
            assertTrue(bytes > frames * 100, "bytes " + bytes + " for " + frames + " frames");
            reader.read(5);
            waitForMetrics(m -> value(m, "mjpeg_frames_sent_total{image=\"streamed\"}") >= frames + 5
                    && value(m, "mjpeg_bytes_sent_total{image=\"streamed\"}") > bytes);
        }
        waitForMetrics(m -> value(m, "mjpeg_open_streams{image=\"streamed\"}") == 0);
    }

    @Test
    void headAnswersHeadersWithoutABody() {
        HttpResponse<byte[]> get = Http.get(base + "images/still");
        assertEquals(200, get.statusCode());
        HttpResponse<byte[]> head = Http.send(HttpRequest.newBuilder(URI.create(base + "images/still"))
                .method("HEAD", HttpRequest.BodyPublishers.noBody()));
        assertEquals(200, head.statusCode());
        assertEquals("image/jpeg", head.headers().firstValue("Content-Type").orElse(""));
        assertEquals(0, head.body().length);
        assertEquals(Optional.of(String.valueOf(get.body().length)), head.headers().firstValue("Content-Length"));
        assertEquals(get.headers().firstValue("ETag"), head.headers().firstValue("ETag"));
        assertEquals(get.headers().firstValue("Last-Modified"), head.headers().firstValue("Last-Modified"));
        assertTrue(head.headers().firstValue("ETag").isPresent());
        assertTrue(head.headers().firstValue("Last-Modified").isPresent());
    }

    @Test
    void conditionalRequestsAnswer304UntilTheFileChanges() throws IOException {
        HttpResponse<byte[]> first = Http.get(base + "images/still");
        assertEquals(200, first.statusCode());
        assertArrayEquals(currentStill(), first.body());
        String etag = first.headers().firstValue("ETag").orElseThrow();
        String lastModified = first.headers().firstValue("Last-Modified").orElseThrow();

        HttpResponse<byte[]> byTag = conditional("If-None-Match", etag);
        assertEquals(304, byTag.statusCode());
        assertEquals(0, byTag.body().length);
        // No body and no length of one: a 304 may only repeat the 200's length, and leaving it out is plainer.
        assertEquals(Optional.empty(), byTag.headers().firstValue("Content-Length"));
        assertEquals(Optional.empty(), byTag.headers().firstValue("Transfer-Encoding"));
        assertEquals(etag, byTag.headers().firstValue("ETag").orElse(""));
        assertEquals(304, conditional("If-Modified-Since", lastModified).statusCode());
        // A tag of another frame does not match.
        assertEquals(200, conditional("If-None-Match", "\"0-0\"").statusCode());

        // A rewritten file is a new frame: the old validators no longer hold.
        byte[] changed = TestImages.jpeg(1280, 720, "still " + System.nanoTime());
        Files.write(stillFile, changed);
        long deadline = System.nanoTime() + WAIT.toNanos();
        HttpResponse<byte[]> after = conditional("If-None-Match", etag);
        while (after.statusCode() == 304 && System.nanoTime() < deadline) {
            sleep(50);
            after = conditional("If-None-Match", etag);
        }
        assertEquals(200, after.statusCode());
        assertArrayEquals(changed, after.body());
        assertNotEquals(etag, after.headers().firstValue("ETag").orElse(""));
        assertEquals(304, conditional("If-None-Match", after.headers().firstValue("ETag").orElseThrow()).statusCode());
    }

    @ParameterizedTest
    @ValueSource(strings = {"HTTP/1.0", "HTTP/1.1"})
    void snapshotsCarryTheirLengthRatherThanChunks(String version) throws IOException {
        // A raw request shows the bytes on the wire: HTTP/1.0 knows no chunks, and a length lets clients show
        // progress and check that the whole picture arrived.
        RawResponse response = rawGet("images/still", version);
        assertEquals("200", response.statusLine().split(" ")[1], response.statusLine());
        assertNull(response.headers().get("transfer-encoding"), response.headers().toString());
        byte[] still = currentStill();
        assertTrue(still.length > 8192, "the still must be larger than Jersey's buffer to show anything");
        assertEquals(String.valueOf(still.length), response.headers().get("content-length"), response.headers().toString());
        assertArrayEquals(still, response.body());
    }

    private byte[] currentStill() throws IOException {
        return Files.readAllBytes(stillFile);
    }

    private record RawResponse(String statusLine, Map<String, String> headers, byte[] body) {
    }

    /** GET over a plain socket, closed after the response, which is read to the end as the server sent it. */
    private RawResponse rawGet(String path, String version) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(base.getHost(), base.getPort()), 5000);
            socket.setSoTimeout(20_000);
            socket.getOutputStream().write(("GET " + base.getPath() + path + " " + version + "\r\n"
                    + "Host: " + base.getHost() + ":" + base.getPort() + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            byte[] all = socket.getInputStream().readAllBytes();
            int end = indexOf(all, "\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            assertTrue(end > 0, "no end of headers in " + new String(all, StandardCharsets.ISO_8859_1));
            List<String> lines = List.of(new String(all, 0, end, StandardCharsets.ISO_8859_1).split("\r\n"));
            Map<String, String> headers = new HashMap<>();
            for (String line : lines.subList(1, lines.size())) {
                int colon = line.indexOf(':');
                headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
            }
            return new RawResponse(lines.get(0), headers, Arrays.copyOfRange(all, end + 4, all.length));
        }
    }

    private static int indexOf(byte[] data, byte[] needle) {
        for (int i = 0; i + needle.length <= data.length; i++) {
            if (Arrays.equals(data, i, i + needle.length, needle, 0, needle.length)) {
                return i;
            }
        }
        return -1;
    }

    private HttpResponse<byte[]> conditional(String header, String value) {
        return Http.send(HttpRequest.newBuilder(URI.create(base + "images/still")).header(header, value).GET());
    }

    private String metricsText() {
        HttpResponse<String> response = Http.getText(base + "metrics");
        assertEquals(200, response.statusCode(), response.body());
        return response.body();
    }

    /** Samples by name with labels, e.g. {@code mjpeg_open_streams{image="a"}}. */
    private Map<String, Double> metrics() {
        Map<String, Double> samples = new HashMap<>();
        Matcher sample = SAMPLE.matcher(metricsText());
        while (sample.find()) {
            String value = sample.group(2);
            samples.put(sample.group(1), switch (value) {
                case "+Inf" -> Double.POSITIVE_INFINITY;
                case "-Inf" -> Double.NEGATIVE_INFINITY;
                default -> Double.parseDouble(value);
            });
        }
        return samples;
    }

    private Map<String, Double> waitForMetrics(Predicate<Map<String, Double>> condition) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        Map<String, Double> metrics = metrics();
        while (!condition.test(metrics)) {
            if (System.nanoTime() > deadline) {
                fail("metrics did not reach the expected values within " + WAIT.toSeconds() + " s:\n" + metricsText());
            }
            sleep(100);
            metrics = metrics();
        }
        return metrics;
    }

    /** A sample's value; a missing sample fails with the names that are there. */
    private static double value(Map<String, Double> metrics, String name) {
        Double value = metrics.get(name);
        if (value == null) {
            fail("no sample " + name + " in " + List.copyOf(metrics.keySet()));
        }
        return value;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}

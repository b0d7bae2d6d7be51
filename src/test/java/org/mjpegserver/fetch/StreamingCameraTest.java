package org.mjpegserver.fetch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.apache.hc.client5.http.auth.AuthScope;
import org.apache.hc.client5.http.auth.UsernamePasswordCredentials;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.auth.BasicCredentialsProvider;
import org.apache.hc.client5.http.impl.auth.BasicScheme;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.CloseableHttpResponse;
import org.apache.hc.client5.http.impl.classic.HttpClientBuilder;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.client5.http.protocol.HttpClientContext;
import org.apache.hc.client5.http.ssl.ClientTlsStrategyBuilder;
import org.apache.hc.client5.http.ssl.NoopHostnameVerifier;
import org.apache.hc.client5.http.ssl.TrustAllStrategy;
import org.apache.hc.core5.http.HttpHeaders;
import org.apache.hc.core5.http.HttpHost;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.ssl.SSLContexts;
import org.apache.hc.core5.util.Timeout;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.mjpegserver.testing.StreamProfile;
import org.mjpegserver.testing.StreamingCamera;
import org.mjpegserver.testing.StreamingCamera.ClientLimit;
import org.mjpegserver.testing.StreamingCamera.Fault;

/**
 * The streaming camera's output for every device profile, read over a real socket through Apache HttpClient 5
 * (built as {@link HttpSource} builds it) and the {@link PartReader}, as the server will read it; its auth, its
 * one-client limit, its reboot and its faults; and ffmpeg's reading of a few profiles.
 */
final class StreamingCameraTest {

    private static final long MAX = 1 << 20;
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
    }

    static Stream<StreamProfile> profiles() {
        return Stream.concat(StreamProfile.all().stream(), Stream.of(
                StreamProfile.mjpgStreamer().chunked(7, 1000, 13),
                StreamProfile.tasmota().chunked(1),
                StreamProfile.flask().chunked(3, 5000),
                StreamProfile.foscamG2().chunked(64, 1)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("profiles")
    void everyProfileIsReadFrameByFrame(StreamProfile profile) throws Exception {
        boolean tls = profile.name().startsWith("Kasa");
        StreamingCamera camera = camera(tls ? StreamingCamera.https(profile) : StreamingCamera.http(profile)).fps(0).frames(5);
        try (Upstream upstream = open(camera.url(), client(tls))) {
            assertEquals(200, upstream.status);
            BufferedInputStream body = new BufferedInputStream(upstream.body);
            BodyKind kind = BodyKind.of(upstream.contentType, body, MAX);
            assertEquals(profile.delimiter() == null ? BodyKind.JPEG_RUN : BodyKind.MULTIPART, kind);
            PartReader reader = PartReader.open(body, upstream.contentType, MAX);
            List<Long> numbers = new ArrayList<>();
            while (reader.next()) {
                byte[] jpeg = reader.read();
                numbers.add(StreamingCamera.frameNumber(jpeg));
                assertNotNull(ImageIO.read(new ByteArrayInputStream(jpeg)), "decodes");
                assertEquals(0xD9, jpeg[jpeg.length - 1] & 0xFF, "ends with EOI");
            }
            assertEquals(List.of(1L, 2L, 3L, 4L, 5L), numbers);
            assertEquals(5, camera.framesSent());
            assertEquals(1, camera.connections());
        }
    }

    /** A 30 fps upstream read and dropped every other frame, as the relay takes half of it. */
    @Test
    void surplusFramesSkipped() throws Exception {
        StreamingCamera camera = camera(StreamingCamera.http(StreamProfile.esp32())).fps(30).frames(20);
        try (Upstream upstream = open(camera.url(), client(false))) {
            PartReader reader = PartReader.open(upstream.body, upstream.contentType, MAX);
            List<Long> kept = new ArrayList<>();
            for (int i = 0; reader.next(); i++) {
                if (i % 2 == 0) {
                    reader.skip();
                } else {
                    kept.add(StreamingCamera.frameNumber(reader.read()));
                }
            }
            assertEquals(List.of(2L, 4L, 6L, 8L, 10L, 12L, 14L, 16L, 18L, 20L), kept);
        }
    }

    @Test
    void basicDigestAndBearer() throws Exception {
        StreamingCamera basic = camera(StreamingCamera.http(StreamProfile.axis())).basic("admin", "s3cret").frames(2);
        assertEquals(401, open(basic.url(), client(false)).closeAndStatus());
        try (Upstream upstream = openBasic(basic.url(), "admin", "s3cret")) {
            assertEquals(2, readAll(upstream).size());
        }
        StreamingCamera digest = camera(StreamingCamera.http(StreamProfile.motion())).digest("admin", "s3cret").frames(2);
        assertEquals(401, open(digest.url(), authClient(digest.url(), "admin", "wrong")).closeAndStatus());
        try (Upstream upstream = open(digest.url(), authClient(digest.url(), "admin", "s3cret"))) {
            assertEquals(2, readAll(upstream).size());
            assertTrue(digest.lastRequestHeaders().get("Authorization").startsWith("Digest "));
        }
        StreamingCamera bearer = camera(StreamingCamera.http(StreamProfile.go2rtc())).bearer("t0ken").frames(2);
        assertEquals(401, open(bearer.url(), client(false)).closeAndStatus());
        try (CloseableHttpClient client = client(false)) {
            HttpGet get = new HttpGet(bearer.url());
            get.setHeader(HttpHeaders.AUTHORIZATION, "Bearer t0ken");
            try (CloseableHttpResponse response = client.execute(get)) {
                assertEquals(200, response.getCode());
                assertEquals(2, readAll(PartReader.open(response.getEntity().getContent(), response.getEntity().getContentType(), MAX)).size());
            }
        }
    }

    @Test
    void oneClientRefusesASecond() throws Exception {
        StreamingCamera camera = camera(StreamingCamera.http(StreamProfile.esp32())).clientLimit(ClientLimit.REFUSE).fps(20);
        try (Upstream first = open(camera.url(), client(false))) {
            PartReader reader = PartReader.open(first.body, first.contentType, MAX);
            assertTrue(reader.next());
            assertEquals(503, open(camera.url(), client(false)).closeAndStatus());
            assertTrue(reader.next(), "the first client keeps streaming");
            assertEquals(2, camera.maxConcurrentConnections());
        }
    }

    @Test
    void oneClientStarvesASecond() throws Exception {
        StreamingCamera camera = camera(StreamingCamera.http(StreamProfile.mjpgStreamer())).clientLimit(ClientLimit.STARVE).fps(20);
        Upstream first = open(camera.url(), client(false));
        assertTrue(PartReader.open(first.body, first.contentType, MAX).next());
        try (CloseableHttpClient client = client(false, Timeout.ofMilliseconds(500))) {
            assertThrows(SocketTimeoutException.class, () -> client.execute(new HttpGet(camera.url()), response -> response.getCode()));
        }
        first.close();
        try (Upstream second = open(camera.url(), client(false))) {
            assertTrue(PartReader.open(second.body, second.contentType, MAX).next(), "served once the first has gone");
        }
        assertEquals(3, camera.connections());
    }

    @Test
    void rebootDropsEveryConnection() throws Exception {
        StreamingCamera camera = camera(StreamingCamera.http(StreamProfile.motion())).fps(20);
        Upstream a = open(camera.url(), client(false));
        Upstream b = open(camera.url(), client(false));
        PartReader readerA = PartReader.open(a.body, a.contentType, MAX);
        assertTrue(readerA.next());
        readerA.read();
        assertEquals(2, camera.concurrentConnections());
        camera.dropAll();
        assertThrows(Exception.class, () -> {
            while (readerA.next()) {
                readerA.read();
            }
            throw new IOException("ended cleanly");
        });
        a.close();
        b.close();
        awaitZero(camera);
        try (Upstream again = open(camera.url(), client(false))) {
            assertTrue(PartReader.open(again.body, again.contentType, MAX).next());
        }
        assertEquals(3, camera.connections());
        assertEquals(2, camera.maxConcurrentConnections());
    }

    @Test
    void stalls() throws Exception {
        StreamingCamera stall = camera(StreamingCamera.http(StreamProfile.esp32())).fault(Fault.STALL);
        try (CloseableHttpClient client = client(false, Timeout.ofMilliseconds(500))) {
            assertThrows(SocketTimeoutException.class, () -> client.execute(new HttpGet(stall.url()), response -> response.getCode()));
        }
        StreamingCamera afterHead = camera(StreamingCamera.http(StreamProfile.esp32())).fault(Fault.STALL_AFTER_HEAD);
        try (Upstream upstream = open(afterHead.url(), client(false, Timeout.ofMilliseconds(500)))) {
            assertEquals(200, upstream.status);
            assertThrows(SocketTimeoutException.class, PartReader.open(upstream.body, upstream.contentType, MAX)::next);
        }
        StreamingCamera midFrame = camera(StreamingCamera.http(StreamProfile.mjpgStreamer())).fault(Fault.STALL_MID_FRAME).frames(2);
        try (Upstream upstream = open(midFrame.url(), client(false, Timeout.ofMilliseconds(500)))) {
            PartReader reader = PartReader.open(upstream.body, upstream.contentType, MAX);
            assertTrue(reader.next());
            reader.read();
            assertTrue(reader.next());
            reader.read();
            assertTrue(reader.next());
            assertThrows(SocketTimeoutException.class, reader::read);
        }
    }

    @Test
    void closesAfterOneByteAndAfterSomeFrames() throws Exception {
        StreamingCamera oneByte = camera(StreamingCamera.http(StreamProfile.mjpgStreamer())).fault(Fault.CLOSE_AFTER_ONE_BYTE);
        for (int i = 0; i < 3; i++) {
            try (Upstream upstream = open(oneByte.url(), client(false))) {
                assertFalse(PartReader.open(upstream.body, upstream.contentType, MAX).next());
            }
        }
        assertEquals(3, oneByte.connections());
        StreamingCamera three = camera(StreamingCamera.http(StreamProfile.tasmota())).frames(3).fps(0);
        try (Upstream upstream = open(three.url(), client(false))) {
            assertEquals(3, readAll(upstream).size());
        }
    }

    @Test
    void hostileBodies() throws Exception {
        long max = 200_000;
        assertGivesUp(Fault.GARBAGE, StreamProfile.mjpgStreamer(), max, "no multipart delimiter within 200000 bytes");
        assertGivesUp(Fault.GARBAGE, StreamProfile.rawJpegRun(), max, "no JPEG start within 200000 bytes");
        assertGivesUp(Fault.ENDLESS_HEADER_LINE, StreamProfile.esp32(), max, "part header line longer than 8192 bytes");
        assertGivesUp(Fault.ENDLESS_HEADERS, StreamProfile.motion(), max, "more than 64 header lines in a part");
        assertGivesUp(Fault.ENDLESS_PART, StreamProfile.flask(), max, "part did not end within 800000 bytes");
        assertGivesUp(Fault.HUGE_PART, StreamProfile.go2rtc(), max,
                "part of " + StreamingCamera.HUGE_LENGTH + " bytes is larger than max_image_bytes (" + max + ") and did not end within 800000 bytes");
        assertGivesUp(Fault.WRONG_BOUNDARY, StreamProfile.axis(), max, "no multipart delimiter within 200000 bytes");
    }

    @Test
    void statusAtStart() throws Exception {
        StreamingCamera unauthorized = camera(StreamingCamera.http(StreamProfile.esp32())).fault(Fault.UNAUTHORIZED);
        assertEquals(401, openBasic(unauthorized.url(), "admin", "s3cret").closeAndStatus());
        StreamingCamera unavailable = camera(StreamingCamera.http(StreamProfile.esp32())).fault(Fault.UNAVAILABLE);
        assertEquals(503, open(unavailable.url(), client(false)).closeAndStatus());
        assertEquals(0, unavailable.streamsStarted());
    }

    /** ffmpeg's mpjpeg demuxer (and its mjpeg one for a raw run) reads a few profiles as go2rtc's ffmpeg source would. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("ffmpegProfiles")
    void ffmpegReadsTheStream(StreamProfile profile) throws Exception {
        assumeTrue(onPath("ffmpeg"), "ffmpeg not installed");
        StreamingCamera camera = camera(StreamingCamera.http(profile)).fps(25);
        List<String> command = new ArrayList<>(List.of("ffmpeg", "-hide_banner", "-nostdin"));
        if (profile.delimiter() == null) {
            command.addAll(List.of("-f", "mjpeg"));
        }
        command.addAll(List.of("-i", camera.url(), "-frames:v", "10", "-f", "null", "-"));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String log;
        try {
            log = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(process.waitFor(60, TimeUnit.SECONDS), "ffmpeg finished");
        } finally {
            process.destroyForcibly();
        }
        assertEquals(0, process.exitValue(), log);
        assertTrue(log.matches("(?s).*frame=\\s*10\\b.*"), log);
    }

    static Stream<StreamProfile> ffmpegProfiles() {
        return Stream.of(StreamProfile.mjpgStreamer(), StreamProfile.esp32(), StreamProfile.motion(), StreamProfile.go2rtc(),
                StreamProfile.rawJpegRun());
    }

    // ---- helpers

    private void assertGivesUp(Fault fault, StreamProfile profile, long max, String message) throws Exception {
        StreamingCamera camera = camera(StreamingCamera.http(profile)).fault(fault);
        try (Upstream upstream = open(camera.url(), client(false))) {
            PartReader reader = PartReader.open(upstream.body, upstream.contentType, max);
            FetchException e = assertThrows(FetchException.class, () -> {
                while (reader.next()) {
                    reader.read();
                }
            }, fault.name());
            assertEquals(message, e.getMessage(), fault.name());
            assertTrue(reader.bytesRead() < 4 * max + 4 * PartReader.BUFFER, fault + " read " + reader.bytesRead());
        }
    }

    private StreamingCamera camera(StreamingCamera camera) {
        toClose.add(camera);
        return camera;
    }

    private static void awaitZero(StreamingCamera camera) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (camera.concurrentConnections() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(0, camera.concurrentConnections());
    }

    private static List<byte[]> readAll(Upstream upstream) throws IOException, FetchException {
        return readAll(PartReader.open(upstream.body, upstream.contentType, MAX));
    }

    private static List<byte[]> readAll(PartReader reader) throws IOException, FetchException {
        List<byte[]> images = new ArrayList<>();
        while (reader.next()) {
            images.add(reader.read());
        }
        return images;
    }

    /** An open response: status, Content-Type and body stream; closing aborts the connection first. */
    private final class Upstream implements AutoCloseable {
        final CloseableHttpClient client;
        final HttpGet get;
        final CloseableHttpResponse response;
        final int status;
        final String contentType;
        final InputStream body;

        Upstream(CloseableHttpClient client, HttpGet get, CloseableHttpResponse response) throws IOException {
            this.client = client;
            this.get = get;
            this.response = response;
            this.status = response.getCode();
            this.contentType = response.getEntity() == null ? null : response.getEntity().getContentType();
            this.body = response.getEntity() == null ? InputStream.nullInputStream() : response.getEntity().getContent();
        }

        int closeAndStatus() {
            close();
            return status;
        }

        /** As HttpSource does: abort first, since closing the entity stream would read an endless body to its end. */
        @Override
        public void close() {
            get.cancel();
            response.close(CloseMode.IMMEDIATE);
            client.close(CloseMode.IMMEDIATE);
        }
    }

    private Upstream open(String url, CloseableHttpClient client) throws IOException {
        return open(url, client, null);
    }

    /** Opens the stream; with credentials, Basic is sent up front as HttpSource does. */
    private Upstream open(String url, CloseableHttpClient client, UsernamePasswordCredentials preemptive) throws IOException {
        HttpGet get = new HttpGet(url);
        HttpHost target = HttpHost.create(URI.create(url));
        HttpClientContext context = HttpClientContext.create();
        if (preemptive != null) {
            BasicScheme basic = new BasicScheme();
            basic.initPreemptive(preemptive);
            context.resetAuthExchange(target, basic);
        }
        Upstream upstream = new Upstream(client, get, client.execute(target, get, context));
        toClose.add(upstream);
        return upstream;
    }

    private Upstream openBasic(String url, String user, String pass) throws IOException {
        return open(url, authClient(url, user, pass), new UsernamePasswordCredentials(user, pass.toCharArray()));
    }

    /** A client with credentials for the camera's host, as HttpSource builds one for Basic and Digest. */
    private static CloseableHttpClient authClient(String url, String user, String pass) {
        BasicCredentialsProvider provider = new BasicCredentialsProvider();
        provider.setCredentials(new AuthScope(HttpHost.create(URI.create(url))), new UsernamePasswordCredentials(user, pass.toCharArray()));
        return builder(false, Timeout.ofSeconds(10)).setDefaultCredentialsProvider(provider).build();
    }

    private static CloseableHttpClient client(boolean trustAll) {
        return client(trustAll, Timeout.ofSeconds(10));
    }

    private static CloseableHttpClient client(boolean trustAll, Timeout readTimeout) {
        return builder(trustAll, readTimeout).build();
    }

    /** HttpSource's client: pooled connections, connect and socket timeouts, no retries, optional trust-all TLS. */
    private static HttpClientBuilder builder(boolean trustAll, Timeout readTimeout) {
        var connections = PoolingHttpClientConnectionManagerBuilder.create()
                .setMaxConnTotal(2)
                .setMaxConnPerRoute(2)
                .setDefaultConnectionConfig(ConnectionConfig.custom()
                        .setConnectTimeout(HttpSource.CONNECT_TIMEOUT)
                        .setSocketTimeout(readTimeout)
                        .build());
        if (trustAll) {
            try {
                connections.setTlsSocketStrategy(ClientTlsStrategyBuilder.create()
                        .setSslContext(SSLContexts.custom().loadTrustMaterial(TrustAllStrategy.INSTANCE).build())
                        .setHostnameVerifier(NoopHostnameVerifier.INSTANCE)
                        .buildClassic());
            } catch (java.security.GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        }
        return HttpClients.custom()
                .setConnectionManager(connections.build())
                .setUserAgent("streaming-camera-test")
                .disableAutomaticRetries()
                .disableCookieManagement()
                .setDefaultRequestConfig(RequestConfig.custom().setResponseTimeout(readTimeout).build());
    }

    private static boolean onPath(String program) {
        String path = System.getenv("PATH");
        return path != null && Stream.of(path.split(File.pathSeparator)).anyMatch(dir -> new File(dir, program).canExecute());
    }
}

package org.mjpegserver.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.ProtocolException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.URL;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLException;
import org.apache.hc.client5.http.auth.AuthScope;
import org.apache.hc.client5.http.auth.BearerToken;
import org.apache.hc.client5.http.auth.Credentials;
import org.apache.hc.client5.http.auth.UsernamePasswordCredentials;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.impl.auth.BasicCredentialsProvider;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.ssl.TrustAllStrategy;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.ssl.SSLContextBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class FakeCameraTest {

    private static final byte[] JPEG = TestImages.jpeg(64, 48, "cam");

    private FakeCamera camera;

    @BeforeEach
    void start() throws IOException {
        camera = FakeCamera.http();
    }

    @AfterEach
    void stop() {
        camera.close();
    }

    @Test
    void servesSequencesAndRecordsRequests() throws IOException {
        byte[] other = TestImages.jpeg(64, 48, "other");
        camera.serve("/snap", Routes.sequence(List.of(JPEG, other)));
        assertArrayEquals(JPEG, get("/snap").body);
        assertArrayEquals(other, get("/snap").body);
        Response third = get("/snap");
        assertArrayEquals(JPEG, third.body);
        assertEquals("image/jpeg", third.contentType);
        assertEquals(3, camera.requests("/snap"));
        assertEquals(3, camera.requestTimes("/snap").size());
        assertEquals("fake-camera-test", camera.lastRequestHeaders("/snap").get("user-agent"));
        assertEquals(404, get("/nothing-here").status);
        assertEquals(0, camera.requests("/never"));
    }

    @Test
    void cannedMisbehaviour() throws IOException {
        camera.serve("/html", Routes.html200()).serve("/garbage", Routes.garbage())
                .serve("/401", Routes.status(401)).serve("/moved", Routes.redirect("/snap"))
                .serve("/snap", Routes.jpeg(JPEG)).serve("/loop", Routes.redirectLoop());
        assertEquals("text/html; charset=utf-8", get("/html").contentType);
        assertEquals("image/jpeg", get("/garbage").contentType);
        assertEquals(401, get("/401").status);
        assertArrayEquals(JPEG, get("/moved").body);
        assertThrows(ProtocolException.class, () -> get("/loop"));
        assertTrue(camera.requests("/loop") > 5);
    }

    @Test
    void downSwitchAndFlapping() throws Exception {
        camera.serve("/snap", Routes.jpeg(JPEG))
                .serve("/flap-up", Routes.flapping(Duration.ofHours(1), Duration.ofHours(1), Routes.jpeg(JPEG)))
                .serve("/flap-down", Routes.flapping(Duration.ofMillis(50), Duration.ofHours(1), Routes.jpeg(JPEG)));
        camera.setDown(true);
        assertEquals(503, get("/snap").status);
        camera.setDown(false);
        assertEquals(200, get("/snap").status);
        assertEquals(200, get("/flap-up").status);
        Thread.sleep(100);
        assertEquals(503, get("/flap-down").status);
    }

    @Test
    void digestAuthenticatesApacheHttpClient() throws IOException {
        camera.serve("/digest", Routes.digest("admin", "s3cret", Routes.jpeg(JPEG)));
        assertEquals(200, apacheGet("/digest", new UsernamePasswordCredentials("admin", "s3cret".toCharArray())));
        assertEquals(2, camera.requests("/digest"), "one challenge, one authenticated request");
        String authorization = camera.lastRequestHeaders("/digest").get("Authorization");
        assertTrue(authorization.contains("qop=auth"), authorization);
        HttpURLConnection replay = open("/digest");
        replay.setRequestProperty("Authorization", authorization);
        assertEquals(401, replay.getResponseCode(), "a replayed nonce count must be refused");
        assertEquals(401, apacheGet("/digest", new UsernamePasswordCredentials("admin", "wrong".toCharArray())));
        assertEquals(401, get("/digest").status);
    }

    @Test
    void basicAndBearerAuthenticateApacheHttpClient() throws IOException {
        camera.serve("/basic", Routes.basic("admin", "s3cret", Routes.jpeg(JPEG)))
                .serve("/bearer", Routes.bearer("t0ken", Routes.jpeg(JPEG)));
        assertEquals(200, apacheGet("/basic", new UsernamePasswordCredentials("admin", "s3cret".toCharArray())));
        assertEquals(401, apacheGet("/basic", new UsernamePasswordCredentials("admin", "wrong".toCharArray())));
        assertEquals(200, apacheGet("/bearer", new BearerToken("t0ken")));
        assertEquals(401, apacheGet("/bearer", new BearerToken("stolen")));
    }

    @Test
    void httpsWorksOnlyForClientsThatTrustTheSelfSignedCertificate() throws Exception {
        try (FakeCamera secure = FakeCamera.https()) {
            secure.serve("/snap", Routes.jpeg(JPEG));
            URL url = URI.create(secure.url("/snap")).toURL();
            HttpsURLConnection trusting = (HttpsURLConnection) url.openConnection();
            trusting.setSSLSocketFactory(SSLContextBuilder.create()
                    .loadTrustMaterial(TrustAllStrategy.INSTANCE).build().getSocketFactory());
            try (InputStream in = trusting.getInputStream()) {
                assertArrayEquals(JPEG, in.readAllBytes());
            }
            HttpURLConnection strict = (HttpURLConnection) url.openConnection();
            assertThrows(SSLException.class, strict::getResponseCode);
        }
    }

    @Test
    void hangTriggersClientReadTimeoutAndCloseIsPrompt() throws IOException {
        camera.serve("/hang", Routes.hang());
        HttpURLConnection connection = open("/hang");
        connection.setReadTimeout(300);
        assertThrows(SocketTimeoutException.class, connection::getResponseCode);
        long start = System.nanoTime();
        camera.close();
        assertTrue(System.nanoTime() - start < Duration.ofSeconds(3).toNanos(), "close() waited for a hung handler");
    }

    @Test
    void trickleSendsOneBytePerSecond() throws IOException {
        camera.serve("/trickle", Routes.trickle());
        HttpURLConnection connection = open("/trickle");
        assertEquals(10_000_000, connection.getContentLengthLong());
        long start = System.nanoTime();
        try (InputStream in = connection.getInputStream()) {
            assertEquals(0xFF, in.read());
            assertEquals(0xD8, in.read());
        }
        assertTrue(System.nanoTime() - start > Duration.ofMillis(800).toNanos());
    }

    @Test
    void hugeStopsWritingWhenTheClientGoesAway() throws Exception {
        long declared = 4L << 30;
        Routes.Huge huge = Routes.huge(declared);
        camera.serve("/huge", huge);
        HttpURLConnection connection = open("/huge");
        assertEquals(declared, connection.getContentLengthLong());
        connection.getInputStream().readNBytes(100_000);
        connection.disconnect();
        Thread.sleep(500);
        long written = huge.bytesWritten();
        assertTrue(written >= 100_000 && written < declared / 20, "wrote " + written);
    }

    @Test
    void maxConcurrentCountsOverlappingRequests() throws Exception {
        camera.serve("/slow", Routes.slow(Duration.ofMillis(500), Routes.jpeg(JPEG)));
        ExecutorService clients = Executors.newFixedThreadPool(4);
        try {
            List<Future<Response>> responses = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                responses.add(clients.submit(() -> get("/slow")));
            }
            for (Future<Response> response : responses) {
                assertEquals(200, response.get().status);
            }
        } finally {
            clients.shutdownNow();
        }
        assertEquals(4, camera.requests("/slow"));
        assertEquals(4, camera.maxConcurrent("/slow"));
        get("/slow");
        assertEquals(4, camera.maxConcurrent("/slow"), "a lone request must not lower the maximum");
    }

    private record Response(int status, String contentType, byte[] body) {
    }

    private Response get(String path) throws IOException {
        HttpURLConnection connection = open(path);
        int status = connection.getResponseCode();
        InputStream in = status < 400 ? connection.getInputStream() : connection.getErrorStream();
        byte[] body = in == null ? new byte[0] : in.readAllBytes();
        return new Response(status, connection.getContentType(), body);
    }

    private HttpURLConnection open(String path) throws IOException {
        HttpURLConnection connection = (HttpURLConnection) URI.create(camera.url(path)).toURL().openConnection();
        connection.setConnectTimeout(5_000);
        connection.setReadTimeout(10_000);
        connection.setRequestProperty("User-Agent", "fake-camera-test");
        return connection;
    }

    private int apacheGet(String path, Credentials credentials) throws IOException {
        BasicCredentialsProvider provider = new BasicCredentialsProvider();
        provider.setCredentials(new AuthScope(null, -1), credentials);
        try (CloseableHttpClient client = HttpClients.custom().setDefaultCredentialsProvider(provider).build()) {
            return client.execute(new HttpGet(camera.url(path)), response -> {
                EntityUtils.consume(response.getEntity());
                return response.getCode();
            });
        }
    }
}

package org.mjpegserver.fetch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mjpegserver.fetch.ImagesApi.fetchesFailed;
import static org.mjpegserver.fetch.ImagesApi.fetchesOk;
import static org.mjpegserver.fetch.ImagesApi.lastError;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URL;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.mjpegserver.testing.Deployments;
import org.mjpegserver.testing.FakeCamera;
import org.mjpegserver.testing.Routes;
import org.mjpegserver.testing.TestImages;

/**
 * Upstream authentication, TLS and request headers against real cameras: every way of giving credentials
 * delivers frames, a wrong one is reported, and no secret ever reaches GET /images.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
final class FetchAuthIT {

    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final String AGENT = "FetchIT-Agent/4.2 (+auth test)";

    private static final String BASIC_PASSWORD = "basic-secret-1";
    private static final String DIGEST_PASSWORD = "digest-secret-2";
    private static final String BEARER_TOKEN = "bearer-token-3";
    private static final String USERINFO_PASSWORD = "userinfo-secret-4";
    private static final String WRONG_PASSWORD = "wrong-secret-5";
    private static final String QUERY_PASSWORD = "query-secret-6";
    /** Needs percent-encoding in user-info; both spellings must stay hidden. */
    private static final String ENCODED_PASSWORD = "pa:ss@w0rd-7";
    private static final String ENCODED_PASSWORD_IN_URL = "pa%3Ass%40w0rd-7";
    private static final String FAILING_QUERY_PASSWORD = "query-secret-8";

    private static final Map<String, byte[]> FRAMES = Map.of(
            "basic", TestImages.jpeg(64, 48, "basic"),
            "digest", TestImages.jpeg(64, 48, "digest"),
            "bearer", TestImages.jpeg(64, 48, "bearer"),
            "userinfo", TestImages.jpeg(64, 48, "userinfo"),
            "userinfo_encoded", TestImages.jpeg(64, 48, "userinfo encoded"),
            "query", TestImages.jpeg(64, 48, "query"),
            "https_trusting", TestImages.jpeg(64, 48, "https"));

    private static FakeCamera camera;
    private static FakeCamera tlsCamera;

    @ArquillianResource
    private URL base;

    @Deployment(testable = false)
    static WebArchive deployment() {
        camera = FakeCamera.http();
        tlsCamera = FakeCamera.https();
        camera.serve("/basic", Routes.basic("alice", BASIC_PASSWORD, Routes.jpeg(FRAMES.get("basic"))))
                .serve("/digest", Routes.digest("bob", DIGEST_PASSWORD, Routes.jpeg(FRAMES.get("digest"))))
                .serve("/bearer", Routes.bearer(BEARER_TOKEN, Routes.jpeg(FRAMES.get("bearer"))))
                .serve("/userinfo", Routes.basic("carol", USERINFO_PASSWORD, Routes.jpeg(FRAMES.get("userinfo"))))
                .serve("/userinfo_encoded", Routes.basic("erin", ENCODED_PASSWORD, Routes.jpeg(FRAMES.get("userinfo_encoded"))))
                .serve("/wrong", Routes.basic("frank", "the-right-one", Routes.jpeg(TestImages.jpeg(64, 48, "wrong"))))
                .serve("/query", Routes.jpeg(FRAMES.get("query")))
                .serve("/query_failing", Routes.status(500));
        tlsCamera.serve("/trusting", Routes.jpeg(FRAMES.get("https_trusting")))
                .serve("/strict", Routes.jpeg(TestImages.jpeg(64, 48, "strict")));
        String host = camera.url("").substring("http://".length());
        return Deployments.war(""
                + "mjpeg-server:\n"
                + "  fetch_minimum_fps: 5\n"
                + "  image_timeout_seconds: 5\n"
                + "  fetch_agent_string: '" + AGENT + "'\n"
                + "images:\n"
                + "  basic:\n"
                + "    url: '" + camera.url("/basic") + "'\n"
                + "    auth_type: basic\n"
                + "    username: alice\n"
                + "    password: '" + BASIC_PASSWORD + "'\n"
                + "  digest:\n"
                + "    url: '" + camera.url("/digest") + "'\n"
                + "    auth_type: digest\n"
                + "    username: bob\n"
                + "    password: '" + DIGEST_PASSWORD + "'\n"
                + "  bearer:\n"
                + "    url: '" + camera.url("/bearer") + "'\n"
                + "    auth_type: bearer\n"
                + "    token: '" + BEARER_TOKEN + "'\n"
                + "  userinfo:\n"
                + "    url: 'http://carol:" + USERINFO_PASSWORD + "@" + host + "/userinfo'\n"
                + "  userinfo_encoded:\n"
                + "    url: 'http://erin:" + ENCODED_PASSWORD_IN_URL + "@" + host + "/userinfo_encoded'\n"
                + "  wrong:\n"
                + "    url: '" + camera.url("/wrong") + "'\n"
                + "    username: frank\n"
                + "    password: '" + WRONG_PASSWORD + "'\n"
                + "  query:\n"
                + "    url: '" + camera.url("/query") + "?user=dave&password=" + QUERY_PASSWORD + "'\n"
                + "  query_failing:\n"
                + "    url: '" + camera.url("/query_failing") + "?password=" + FAILING_QUERY_PASSWORD + "&x=1'\n"
                + "  https_trusting:\n"
                + "    url: '" + tlsCamera.url("/trusting") + "'\n"
                + "    ignore_certificate_errors: true\n"
                + "  https_strict:\n"
                + "    url: '" + tlsCamera.url("/strict") + "'\n"
                + "    ignore_certificate_errors: false\n");
    }

    @AfterAll
    static void stopCameras() {
        camera.close();
        tlsCamera.close();
    }

    private ImagesApi api() {
        return new ImagesApi(base);
    }

    private void assertDelivers(String id) {
        ImagesApi api = api();
        // Several fetches, not just one: Digest in particular must keep working with growing nonce counts.
        api.await(id, WAIT, "three good fetches", image -> fetchesOk(image) >= 3);
        byte[] frame = api.awaitSnapshot(id, WAIT, "the camera's JPEG", body -> Arrays.equals(body, FRAMES.get(id)));
        assertArrayEquals(FRAMES.get(id), frame);
    }

    @Test
    void basicAuthDeliversFrames() {
        assertDelivers("basic");
    }

    @Test
    void digestAuthDeliversFrames() {
        assertDelivers("digest");
    }

    @Test
    void bearerTokenDeliversFrames() {
        assertDelivers("bearer");
        assertEquals("Bearer " + BEARER_TOKEN, camera.lastRequestHeaders("/bearer").get("Authorization"));
    }

    @Test
    void credentialsInUrlUserInfoDeliverFrames() {
        assertDelivers("userinfo");
        assertDelivers("userinfo_encoded");
    }

    @Test
    void queryStringReachesTheCamera() {
        assertDelivers("query");
    }

    @Test
    void wrongPasswordShows401AndNoFrame() {
        ImagesApi api = api();
        JsonNode image = api.await("wrong", WAIT, "a failed fetch", i -> fetchesFailed(i) >= 2);
        String error = lastError(image);
        assertNotNull(error, image.toString());
        assertTrue(error.contains("401"), error);
        assertEquals(0, fetchesOk(image), image.toString());
        assertEquals(503, api.snapshot("wrong").statusCode(), "a refused login must not produce a frame");
    }

    @Test
    void selfSignedCertificateAcceptedOnlyWhereTheImageAllowsIt() {
        assertDelivers("https_trusting");
        ImagesApi api = api();
        JsonNode strict = api.await("https_strict", WAIT, "a failed fetch", i -> fetchesFailed(i) >= 1);
        String error = lastError(strict);
        assertNotNull(error, strict.toString());
        assertTrue(error.startsWith("TLS failure"), error);
        assertEquals(0, fetchesOk(strict), strict.toString());
        assertEquals(503, api.snapshot("https_strict").statusCode());
        // The handshake failed before any request reached the camera.
        assertEquals(0, tlsCamera.requests("/strict"));
    }

    @Test
    void sendsTheConfiguredUserAgentAndAnAcceptHeader() {
        api().await("query", WAIT, "a good fetch", image -> fetchesOk(image) >= 1);
        Map<String, String> headers = camera.lastRequestHeaders("/query");
        assertEquals(AGENT, headers.get("User-Agent"));
        String accept = headers.get("Accept");
        assertNotNull(accept, "no Accept header in " + headers);
        assertTrue(accept.contains("image/jpeg"), accept);
        api().await("https_trusting", WAIT, "a good fetch", image -> fetchesOk(image) >= 1);
        assertEquals(AGENT, tlsCamera.lastRequestHeaders("/trusting").get("User-Agent"));
    }

    @Test
    void noSecretAppearsInTheImageList() {
        ImagesApi api = api();
        // Let every image fetch and fail at least once, so last_error texts are part of what is searched.
        for (String id : List.of("basic", "digest", "bearer", "userinfo", "userinfo_encoded", "query", "https_trusting")) {
            api.await(id, WAIT, "a good fetch", image -> fetchesOk(image) >= 1);
        }
        for (String id : List.of("wrong", "query_failing", "https_strict")) {
            api.await(id, WAIT, "a failed fetch", image -> fetchesFailed(image) >= 1);
        }
        String body = api.listText();
        for (String secret : List.of(BASIC_PASSWORD, DIGEST_PASSWORD, BEARER_TOKEN, USERINFO_PASSWORD, WRONG_PASSWORD,
                QUERY_PASSWORD, ENCODED_PASSWORD, ENCODED_PASSWORD_IN_URL, FAILING_QUERY_PASSWORD)) {
            assertFalse(body.contains(secret), "secret '" + secret + "' in GET /images: " + body);
        }
        assertFalse(body.contains("carol:"), "user-info in GET /images: " + body);
        // The redacted config still says which credentials are in use, so the mask must be there.
        JsonNode list = api.list();
        assertEquals("***", list.get("basic").get("config").get("password").asText());
        assertEquals("***", list.get("bearer").get("config").get("token").asText());
        assertEquals("carol", list.get("userinfo").get("config").get("username").asText());
        assertTrue(list.get("query").get("config").get("url").asText().contains("password=***"),
                list.get("query").toString());
        String error = lastError(list.get("query_failing"));
        assertTrue(error != null && error.startsWith("HTTP 500"), String.valueOf(error));
    }
}

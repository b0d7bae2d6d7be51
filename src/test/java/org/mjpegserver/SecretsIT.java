package org.mjpegserver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.mjpegserver.testing.ConfigFile;
import org.mjpegserver.testing.Deployments;
import org.mjpegserver.testing.FakeCamera;
import org.mjpegserver.testing.Http;
import org.mjpegserver.testing.LogCapture;
import org.mjpegserver.testing.Routes;
import org.mjpegserver.testing.ServerApi;
import org.mjpegserver.testing.TestImages;

/**
 * Every kind of secret a config can hold, with cameras that accept them and cameras that fail in the ways
 * that produce error messages; then no secret may be found in what the server answers or logs, Tomcat's
 * log records included.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
final class SecretsIT {

    private static final String BASIC_PASSWORD = "basic-pw-J5r2";
    private static final String DIGEST_PASSWORD = "digest-pw-Q8w4";
    private static final String BEARER_TOKEN = "bearer-tok-M3k9";
    private static final String USERINFO_PASSWORD = "userinfo-pw-T6x1";
    private static final String QUERY_PASSWORD = "query-pw-Z2v7";
    private static final String FAILING_QUERY_PASSWORD = "query-pw-fail-N1b5";
    private static final String WRONG_PASSWORD = "wrong-pw-C9d3";
    private static final String REFUSED_PASSWORD = "refused-pw-P7y6";
    private static final String REFUSED_QUERY_TOKEN = "refused-tok-E2u8";
    private static final String TLS_PASSWORD = "tls-pw-W5s3";
    private static final String TLS_QUERY_SECRET = "tls-key-R8f2";
    private static final String TLS_BEARER_TOKEN = "tls-bearer-K4g9";
    private static final String ACCESS_TOKEN = "access-tok-H4n8";
    private static final String BROKEN_URL_PASSWORD = "broken-url-pw-V3j6";
    private static final String BROKEN_YAML_PASSWORD = "broken-yaml-pw-D6q1";
    private static final List<String> SECRETS = List.of(BASIC_PASSWORD, DIGEST_PASSWORD, BEARER_TOKEN, USERINFO_PASSWORD,
            QUERY_PASSWORD, FAILING_QUERY_PASSWORD, WRONG_PASSWORD, REFUSED_PASSWORD, REFUSED_QUERY_TOKEN, TLS_PASSWORD,
            TLS_QUERY_SECRET, TLS_BEARER_TOKEN, ACCESS_TOKEN, BROKEN_URL_PASSWORD, BROKEN_YAML_PASSWORD);
    private static final List<String> FAILING = List.of("wrong", "query_fail", "refused", "tls", "tls_bearer");

    private static FakeCamera camera;
    private static FakeCamera tlsCamera;
    private static LogCapture log;
    private static Path configFile;
    private static String config;

    @ArquillianResource
    private URL base;

    @Deployment(testable = false)
    static WebArchive deployment() throws IOException {
        // From before the deployment, so that start-up messages are searched too.
        log = LogCapture.of("")
                .atLeast("org.apache.catalina", Level.INFO)
                .atLeast("org.apache.coyote", Level.INFO)
                .atLeast("org.apache.tomcat", Level.INFO);
        byte[] jpeg = TestImages.jpeg(64, 48, "secret");
        camera = FakeCamera.http()
                .serve("/basic", Routes.basic("alice", BASIC_PASSWORD, Routes.jpeg(jpeg)))
                .serve("/digest", Routes.digest("bob", DIGEST_PASSWORD, Routes.jpeg(jpeg)))
                .serve("/bearer", Routes.bearer(BEARER_TOKEN, Routes.jpeg(jpeg)))
                .serve("/userinfo", Routes.basic("carol", USERINFO_PASSWORD, Routes.jpeg(jpeg)))
                .serve("/query", Routes.jpeg(jpeg))
                .serve("/query_fail", Routes.status(500))
                .serve("/wrong", Routes.basic("dave", "the-right-one", Routes.jpeg(jpeg)));
        tlsCamera = FakeCamera.https().serve("/strict", Routes.jpeg(jpeg));
        config = """
                mjpeg-server:
                  access_token: %s
                  image_timeout_seconds: 1
                  fetch_minimum_fps: 4
                images:
                  basic:
                    url: %s
                    username: alice
                    password: %s
                  digest:
                    url: %s
                    auth_type: digest
                    username: bob
                    password: %s
                  bearer:
                    url: %s
                    token: %s
                  userinfo:
                    url: http://carol:%s@127.0.0.1:%d/userinfo
                  query: %s?user=admin&password=%s
                  query_fail: %s?password=%s
                  wrong:
                    url: %s
                    username: dave
                    password: %s
                  refused:
                    url: http://erin:%s@127.0.0.1:%d/snapshot.jpg?token=%s
                  tls:
                    url: https://frank:%s@127.0.0.1:%d/strict?api_key=%s
                  tls_bearer:
                    url: %s
                    token: %s
                """.formatted(ACCESS_TOKEN, camera.url("/basic"), BASIC_PASSWORD, camera.url("/digest"), DIGEST_PASSWORD,
                camera.url("/bearer"), BEARER_TOKEN, USERINFO_PASSWORD, port(camera), camera.url("/query"), QUERY_PASSWORD,
                camera.url("/query_fail"), FAILING_QUERY_PASSWORD, camera.url("/wrong"), WRONG_PASSWORD,
                REFUSED_PASSWORD, closedPort(), REFUSED_QUERY_TOKEN, TLS_PASSWORD, port(tlsCamera), TLS_QUERY_SECRET,
                tlsCamera.url("/strict"), TLS_BEARER_TOKEN);
        WebArchive war = Deployments.war(config);
        configFile = ConfigFile.current();
        return war;
    }

    @AfterAll
    static void stop() {
        log.close();
        camera.close();
        tlsCamera.close();
    }

    private static int port(FakeCamera camera) {
        return URI.create(camera.url("/")).getPort();
    }

    /** A loopback port with nothing listening: bound once, then released. */
    private static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    @Test
    void noSecretInResponsesOrLogs() {
        ServerApi api = new ServerApi(base, ACCESS_TOKEN);
        for (String id : List.of("basic", "digest", "bearer", "userinfo", "query")) {
            api.awaitImage(id, image -> image.get("state").asText().equals("fresh"), Duration.ofSeconds(15), "fetches with its secret");
        }
        // Every failing image has failed and gone stale, so its error went to the log with the stale notice.
        for (String id : FAILING) {
            api.awaitImage(id, image -> image.get("state").asText().equals("stale"), Duration.ofSeconds(20), "goes stale");
        }
        assertTrue(api.image("wrong").get("last_error").asText().startsWith("HTTP 401"), api.image("wrong").toString());
        assertTrue(api.image("query_fail").get("last_error").asText().startsWith("HTTP 500"));
        assertEquals("connection refused", api.image("refused").get("last_error").asText());
        assertTrue(api.image("tls").get("last_error").asText().startsWith("TLS failure"), api.image("tls").toString());
        assertTrue(api.image("tls_bearer").get("last_error").asText().startsWith("TLS failure"));

        // Config edits that fail, with secrets right where the error is.
        rejectEdit(config + "  broken_url:\n    url: \"http://gina:" + BROKEN_URL_PASSWORD
                + "@bad host/x?password=" + BROKEN_URL_PASSWORD + "\"\n", "broken_url");
        rejectEdit(config + "  broken_yaml:\n    url: http://127.0.0.1/x\n    username: hank\n    password: \""
                + BROKEN_YAML_PASSWORD + "\n    stream_fps: 5\n", "not valid YAML");
        ConfigFile.rewrite(configFile, config);

        List<String> seen = new ArrayList<>();
        JsonNode images = api.images();
        seen.add("GET /images: " + images);
        seen.add("GET /metrics: " + text(api.getText("metrics")));
        seen.add("GET /: " + text(api.getText("")));
        // Error answers, with and without the access token, for images whose config holds secrets.
        for (String id : List.of("basic", "userinfo", "query", "wrong", "refused", "tls", "nosuch")) {
            seen.add(text(Http.getText(base + "images/" + id)));
            seen.add(text(Http.getText(base + "images/" + id + "/stream?token=" + ACCESS_TOKEN + "x")));
            seen.add(text(api.getText("images/" + id + "/stream?frame_rate=0")));
            seen.add(text(api.getText("images/" + id + "/stream/more")));
        }
        for (String id : FAILING) {
            HttpResponse<String> snapshot = api.getText("images/" + id);
            assertEquals(503, snapshot.statusCode(), id);
            seen.add(text(snapshot));
            HttpResponse<String> stream = api.getText("images/" + id + "/stream");
            assertEquals(503, stream.statusCode(), id);
            seen.add(text(stream));
        }
        seen.add(text(api.getText("images/bad%20id")));
        List<String> logged = log.texts();
        seen.addAll(logged);

        // The search must have something to search: the failures were logged.
        for (String id : FAILING) {
            assertTrue(logged.stream().anyMatch(line -> line.contains("Image '" + id + "' is stale")), "no stale notice for " + id);
        }
        assertTrue(logged.stream().anyMatch(line -> line.contains("broken_url")), "the rejected URL edit was not logged");
        assertTrue(logged.stream().anyMatch(line -> line.contains("not valid YAML")), "the rejected YAML edit was not logged");
        assertEquals("***", images.get("basic").get("config").get("password").asText());
        for (String secret : SECRETS) {
            for (String text : seen) {
                assertFalse(text.contains(secret), "secret '" + secret + "' found in:\n" + text);
            }
        }
    }

    /** Writes a config the server must reject and waits for the rejection naming {@code expected}. */
    private static void rejectEdit(String yaml, String expected) {
        ConfigFile.rewrite(configFile, yaml);
        log.await(record -> record.level() == Level.SEVERE && record.message().contains("running config stays")
                && record.message().contains(expected), Duration.ofSeconds(10), "rejecting the edit with " + expected);
    }

    private static String text(HttpResponse<String> response) {
        // The path only: the request's own query carries the access token.
        return response.uri().getPath() + " -> " + response.statusCode() + " " + response.headers().map() + "\n" + response.body();
    }
}

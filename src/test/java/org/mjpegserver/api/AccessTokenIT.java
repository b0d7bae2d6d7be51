package org.mjpegserver.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.mjpegserver.testing.Await;
import org.mjpegserver.testing.ConfigFile;
import org.mjpegserver.testing.Deployments;
import org.mjpegserver.testing.Http;
import org.mjpegserver.testing.ServerApi;
import org.mjpegserver.testing.StreamRecorder;

/**
 * The optional {@code access_token}: everything but /health wants it, as {@code ?token=} or a Bearer header;
 * an image may have a token of its own; a refusal tells nothing about which ids exist; the token never comes
 * back in a response.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
final class AccessTokenIT {

    private static final String TOKEN = "s3cret";
    private static final String OWN_TOKEN = "0wn-t0ken";
    private static final String WITH_TOKENS = """
            mjpeg-server:
              access_token: %s
              stream_fps: 10
            images:
              shared: 'testpattern:64x48'
              own:
                url: 'testpattern:64x48'
                access_token: %s
            """.formatted(TOKEN, OWN_TOKEN);
    private static final String WITHOUT_TOKENS = """
            mjpeg-server:
              stream_fps: 10
            images:
              shared: 'testpattern:64x48'
              own: 'testpattern:64x48'
            """;
    /** What the server-wide token guards. */
    private static final List<String> GUARDED = List.of("images", "metrics", "images/shared");
    /** The dashboard's static files ("" is the webapp's root): no data in them, and the page must load to ask for a token. */
    private static final List<String> DASHBOARD = List.of("", "index.html", "dashboard.js", "dashboard.css");

    private static Path configFile;

    @ArquillianResource
    private URL base;

    @Deployment(testable = false)
    static WebArchive deployment() {
        WebArchive war = Deployments.war(WITH_TOKENS);
        configFile = ConfigFile.current();
        return war;
    }

    private enum Presented { NONE, QUERY, BEARER }

    /** GET {@code path} presenting {@code token} as said; checks on the way that no token comes back. */
    private HttpResponse<String> get(String path, Presented how, String token) {
        String url = base + path;
        HttpRequest.Builder request = HttpRequest.newBuilder();
        if (how == Presented.QUERY) {
            url += (path.contains("?") ? "&" : "?") + "token=" + token;
        } else if (how == Presented.BEARER) {
            request.header("Authorization", "Bearer " + token);
        }
        HttpResponse<String> response = Http.sendText(request.uri(URI.create(url)).GET());
        assertNoToken(path, response);
        return response;
    }

    private static void assertNoToken(String path, HttpResponse<String> response) {
        String seen = response.headers().map() + "\n" + response.body();
        for (String token : new String[] {TOKEN, OWN_TOKEN}) {
            assertFalse(seen.contains(token), "GET /" + path + " gave the token back: " + seen);
        }
    }

    private static void assertUnauthorized(HttpResponse<String> response, String what) {
        assertEquals(401, response.statusCode(), what + ": " + response.body());
        assertEquals("401 access token missing or wrong\n", response.body(), what);
        assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"), what);
        assertEquals("Bearer realm=\"mjpeg-server\"", response.headers().firstValue("WWW-Authenticate").orElse(null), what);
    }

    /** Opens the stream with {@code ?token=} and with a Bearer header and reads frames from both. */
    private void assertStreams(String id, String token) throws IOException {
        String url = base + "images/" + id + "/stream";
        try (StreamRecorder byQuery = StreamRecorder.start(url + "?token=" + token);
                StreamRecorder byHeader = StreamRecorder.start(url, "Authorization", "Bearer " + token)) {
            long now = System.nanoTime();
            byQuery.awaitPart(now, part -> true, Duration.ofSeconds(5), "with ?token=");
            byHeader.awaitPart(now, part -> true, Duration.ofSeconds(5), "with a Bearer header");
        }
    }

    private void assertRefusedWithoutTheToken(String path, String rightToken) {
        assertUnauthorized(get(path, Presented.NONE, null), "/" + path + " without a token");
        for (String wrong : new String[] {"wrong", rightToken + "x", rightToken.toUpperCase(), ""}) {
            assertUnauthorized(get(path, Presented.QUERY, wrong), "/" + path + " with ?token=" + wrong);
            assertUnauthorized(get(path, Presented.BEARER, wrong), "/" + path + " with Bearer " + wrong);
        }
    }

    @Test
    void healthIsOpenWithoutAToken() {
        HttpResponse<String> health = get("health", Presented.NONE, null);
        assertEquals(200, health.statusCode());
        assertEquals("{\"status\":\"healthy\"}", health.body());
    }

    @Test
    void theDashboardsStaticFilesAreOpenWithoutAToken() {
        for (String path : DASHBOARD) {
            for (Presented how : Presented.values()) {
                HttpResponse<String> response = get(path, how, "wrong");
                assertEquals(200, response.statusCode(), "/" + path + " presenting " + how + ": " + response.body());
            }
        }
        // The page is the dashboard, not a listing: what it shows comes from /images, which still wants the token.
        assertTrue(get("", Presented.NONE, null).body().contains("src=\"dashboard.js\""));
        assertUnauthorized(get("images", Presented.NONE, null), "/images from the open page");
    }

    @Test
    void everythingElseWantsTheTokenAsQueryOrBearer() throws IOException {
        for (String path : GUARDED) {
            assertRefusedWithoutTheToken(path, TOKEN);
            for (Presented how : new Presented[] {Presented.QUERY, Presented.BEARER}) {
                HttpResponse<String> response = get(path, how, TOKEN);
                assertEquals(200, response.statusCode(), "/" + path + " with the token as " + how + ": " + response.body());
            }
        }
        assertRefusedWithoutTheToken("images/shared/stream", TOKEN);
        assertRefusedWithoutTheToken("images/shared/stream?frame_rate=2", TOKEN);
        assertStreams("shared", TOKEN);
        assertTrue(get("metrics", Presented.BEARER, TOKEN).body().contains("mjpeg_fetches_total{image=\"shared\""));
    }

    @Test
    void anUnknownIdIsRefusedExactlyLikeAKnownOne() {
        for (String[] pair : new String[][] {{"images/shared", "images/nosuch"}, {"images/shared/stream", "images/nosuch/stream"},
                {"images/own", "images/nosuch"}}) {
            for (Presented how : Presented.values()) {
                for (String token : new String[] {"wrong", OWN_TOKEN + "x"}) {
                    HttpResponse<String> known = get(pair[0], how, token);
                    HttpResponse<String> unknown = get(pair[1], how, token);
                    String what = pair[1] + " against " + pair[0] + " (" + how + " " + token + ")";
                    assertUnauthorized(unknown, what);
                    assertEquals(known.statusCode(), unknown.statusCode(), what);
                    assertEquals(known.body(), unknown.body(), what);
                    assertEquals(known.headers().firstValue("Content-Type"), unknown.headers().firstValue("Content-Type"), what);
                    assertEquals(known.headers().firstValue("WWW-Authenticate"), unknown.headers().firstValue("WWW-Authenticate"), what);
                }
            }
        }
        // With the server's token the request gets through, and only then learns the id does not exist.
        assertEquals(404, get("images/nosuch", Presented.QUERY, TOKEN).statusCode());
        assertEquals(404, get("images/nosuch/stream", Presented.BEARER, TOKEN).statusCode());
    }

    @Test
    void anImageWithItsOwnTokenAcceptsOnlyThatToken() throws IOException {
        for (String path : new String[] {"images/own", "images/own/stream"}) {
            assertRefusedWithoutTheToken(path, OWN_TOKEN);
            // The server-wide token does not open an image that has its own.
            assertUnauthorized(get(path, Presented.QUERY, TOKEN), "/" + path + " with the server token");
            assertUnauthorized(get(path, Presented.BEARER, TOKEN), "/" + path + " with the server token");
        }
        assertEquals(200, get("images/own", Presented.QUERY, OWN_TOKEN).statusCode());
        assertEquals(200, get("images/own", Presented.BEARER, OWN_TOKEN).statusCode());
        assertStreams("own", OWN_TOKEN);
        // And the image's token opens nothing else.
        for (String path : GUARDED) {
            assertUnauthorized(get(path, Presented.QUERY, OWN_TOKEN), "/" + path + " with the other image's token");
        }
        assertUnauthorized(get("images/shared/stream", Presented.BEARER, OWN_TOKEN), "shared stream with the other image's token");
    }

    @Test
    void theServerTokenCannotReachAnImageWithItsOwnTokenByAnotherSpelling() {
        // Path parameters, escapes, dot segments, doubled and trailing slashes all still name "own".
        for (String path : new String[] {"images/own;x=1", "images/%6Fwn", "images/shared/../own", "images//own",
                "images/own/", "images/own;x=1/stream", "images/%6fwn/stream", "images/./own/stream"}) {
            for (Presented how : new Presented[] {Presented.QUERY, Presented.BEARER}) {
                assertUnauthorized(get(path, how, TOKEN), "/" + path + " with the server token");
            }
        }
    }

    @Test
    void theImageListMasksTheTokens() {
        HttpResponse<String> list = get("images", Presented.QUERY, TOKEN);
        assertEquals(200, list.statusCode());
        JsonNode images = new ServerApi(base, TOKEN).images();
        assertEquals("***", images.get("shared").get("config").get("access_token").asText(), images.toString());
        assertEquals("***", images.get("own").get("config").get("access_token").asText(), images.toString());
    }

    @Test
    void withoutATokenInTheConfigEverythingIsOpen() throws IOException {
        ConfigFile.rewrite(configFile, WITHOUT_TOKENS);
        try {
            Await.until(Duration.ofSeconds(10), () -> get("images", Presented.NONE, null).statusCode() == 200,
                    () -> "the config without tokens did not apply");
            for (String path : GUARDED) {
                HttpResponse<String> response = get(path, Presented.NONE, null);
                assertEquals(200, response.statusCode(), "/" + path + ": " + response.body());
            }
            assertEquals(200, get("images/own", Presented.NONE, null).statusCode());
            assertEquals(404, get("images/nosuch", Presented.NONE, null).statusCode());
            assertEquals(404, get("images/nosuch/stream", Presented.NONE, null).statusCode());
            // A token nobody asked for does no harm.
            assertEquals(200, get("images", Presented.BEARER, "anything").statusCode());
            try (StreamRecorder stream = StreamRecorder.start(base + "images/own/stream")) {
                stream.awaitPart(System.nanoTime(), part -> true, Duration.ofSeconds(5), "without a token");
            }
            assertFalse(new ServerApi(base).images().get("own").get("config").has("access_token"));
        } finally {
            ConfigFile.rewrite(configFile, WITH_TOKENS);
            Await.until(Duration.ofSeconds(10), () -> get("images", Presented.NONE, null).statusCode() == 401,
                    () -> "the config with tokens did not apply again");
        }
    }

}

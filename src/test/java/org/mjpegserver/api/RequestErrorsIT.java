package org.mjpegserver.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
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
import org.mjpegserver.testing.Http;
import org.mjpegserver.testing.MjpegReader;
import org.mjpegserver.testing.Routes;
import org.mjpegserver.testing.TestImages;

/** Every malformed or unsupported request gets a short plain-text 4xx, never a 5xx or a stack trace. */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
final class RequestErrorsIT {

    private static final FakeCamera CAMERA = camera();

    @ArquillianResource
    private URL base;

    private static FakeCamera camera() {
        return FakeCamera.http().serve("/snapshot", Routes.jpeg(TestImages.jpeg(320, 240, "errors")));
    }

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.war("images:\n  cam:\n    url: " + CAMERA.url("/snapshot") + "\n");
    }

    @AfterAll
    static void stopCamera() {
        CAMERA.close();
    }

    @Test
    void unknownIdIs404ForSnapshotAndStream() {
        assertError(404, get("images/nope"));
        assertError(404, get("images/nope/stream"));
        assertTrue(get("images/nope").body().contains("nope"), "the reason should name the id");
    }

    @Test
    void idWithForbiddenCharactersIs400() {
        for (String id : List.of("a%20b", "a.b", "%C3%A9", "a%2Cb", "-%24")) {
            assertError(400, get("images/" + id));
            assertError(400, get("images/" + id + "/stream"));
        }
    }

    @Test
    void idsTomcatMayRefuseItselfAre4xx() {
        // An encoded slash or a NUL byte may be refused by Tomcat before the application sees the request.
        for (String id : List.of("a%2Fb", "a%00b", "..", "%2E%2E", "a%5Cb")) {
            assertClientError(get("images/" + id));
            assertClientError(get("images/" + id + "/stream"));
        }
    }

    @Test
    void veryLongIdsAre4xx() {
        // 10 000 characters exceed Tomcat's request line limit, and Tomcat answers itself.
        String huge = "a".repeat(10_000);
        assertClientError(get("images/" + huge));
        assertClientError(get("images/" + huge + "/stream"));
        // 1000 reach the application, whose reason must not echo them back whole.
        String long1000 = "a".repeat(1000);
        assertError(404, get("images/" + long1000));
        assertError(404, get("images/" + long1000 + "/stream"));
    }

    @Test
    void unknownPathsAre404() {
        for (String path : List.of("nope", "images/cam/stream/extra", "images/cam/snapshot", "images/cam/stream/", "health/x")) {
            assertError(404, get(path));
        }
    }

    @Test
    void writeMethodsAre405WithAllow() {
        for (String method : List.of("POST", "PUT", "DELETE", "PATCH")) {
            for (String path : List.of("images", "images/cam", "images/cam/stream")) {
                HttpResponse<String> response = Http.sendText(HttpRequest.newBuilder(URI.create(base + path))
                        .method(method, HttpRequest.BodyPublishers.ofString("x")));
                assertError(405, response);
                String allow = response.headers().firstValue("Allow").orElse("");
                assertTrue(allow.toUpperCase(Locale.ROOT).contains("GET"), method + " /" + path + ": Allow '" + allow + "'");
                assertFalse(allow.toUpperCase(Locale.ROOT).contains(method), method + " /" + path + ": Allow '" + allow + "'");
            }
        }
    }

    @Test
    void badFrameRatesAre400() {
        for (String rate : List.of("abc", "0", "-1", "NaN", "", "0x10", "-Infinity")) {
            assertError(400, get("images/cam/stream?frame_rate=" + rate));
        }
        // The id is checked first: an unknown image stays 404 whatever the rate.
        assertError(404, get("images/nope/stream?frame_rate=abc"));
    }

    @Test
    void sizesThatAreNotSizesAre400WithTheirReason() {
        for (String path : List.of("images/cam", "images/cam/stream", "images/cam/stream?frame_rate=5&")) {
            String query = path.contains("?") ? "" : "?";
            for (String size : List.of("width=0", "width=-5", "width=abc", "width=100000", "width=", "width=1.5",
                    "width=abc&height=100000", "width=99999999999999999999")) {
                HttpResponse<String> response = get(path + query + size);
                assertError(400, response);
                assertTrue(response.body().contains("width must be a whole number of pixels from 1 to 7680"), response.body());
            }
            HttpResponse<String> height = get(path + query + "width=320&height=0");
            assertError(400, height);
            assertTrue(height.body().contains("height must be"), height.body());
        }
        assertError(404, get("images/nope?width=0"));
    }

    @Test
    void hugeFrameRateIsClampedAndStreams() throws Exception {
        try (MjpegReader reader = MjpegReader.open(base + "images/cam/stream?frame_rate=1e9")) {
            reader.read(3);
            JsonNode streams = new ObjectMapper().readTree(get("images").body()).path("cam").path("streams");
            assertEquals(1, streams.size(), streams.toString());
            assertEquals(1e9, streams.get(0).path("requested_fps").asDouble());
            double fps = streams.get(0).path("stream_fps").asDouble();
            assertTrue(fps > 0 && fps <= 60, "stream_fps " + fps + " for frame_rate=1e9");
        }
    }

    @Test
    void healthIsHealthy() {
        HttpResponse<String> health = get("health");
        assertEquals(200, health.statusCode());
        assertEquals("{\"status\":\"healthy\"}", health.body());
        assertTrue(health.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
    }

    private HttpResponse<String> get(String path) {
        return Http.getText(base + path);
    }

    /** Exactly this status, as our one-line plain-text error. */
    private static void assertError(int status, HttpResponse<String> response) {
        String what = response.request().method() + " " + shorten(response.uri().toString());
        assertEquals(status, response.statusCode(), what + ": " + response.body());
        assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"),
                what + ": Content-Type " + response.headers().firstValue("Content-Type"));
        assertTrue(response.body().startsWith(status + " "), what + ": body '" + response.body() + "'");
        assertShortAndClean(what, response);
    }

    /**
     * Some 4xx. A request Tomcat refuses before any application sees it gets the container's own error page,
     * which only the container's configuration can change; what the application answers must be our plain text.
     */
    private static void assertClientError(HttpResponse<String> response) {
        String what = response.request().method() + " " + shorten(response.uri().toString());
        assertTrue(response.statusCode() >= 400 && response.statusCode() < 500, what + ": status " + response.statusCode());
        String type = response.headers().firstValue("Content-Type").orElse("");
        if (type.startsWith("text/plain")) {
            assertTrue(response.body().startsWith(response.statusCode() + " "), what + ": body '" + response.body() + "'");
            assertShortAndClean(what, response);
        }
    }

    private static void assertShortAndClean(String what, HttpResponse<String> response) {
        String body = response.body();
        assertTrue(body.getBytes(StandardCharsets.UTF_8).length < 300, what + ": body of " + body.length() + " chars");
        for (String leak : List.of("Exception", "\tat ", "org.apache", "org.glassfish", "<html", "Tomcat")) {
            assertFalse(body.contains(leak), what + ": body shows '" + leak + "': " + body);
        }
    }

    private static String shorten(String text) {
        return text.length() > 120 ? text.substring(0, 120) + "..." : text;
    }
}

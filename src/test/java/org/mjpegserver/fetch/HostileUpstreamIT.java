package org.mjpegserver.fetch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URL;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
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
import org.mjpegserver.testing.Route;
import org.mjpegserver.testing.Routes;
import org.mjpegserver.testing.ServerApi;
import org.mjpegserver.testing.TestImages;

/**
 * Upstream input meant to hurt: images whose header promises more pixels than memory could hold (refused
 * from the header, before any pixel memory is taken) and a camera host that does not exist.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
final class HostileUpstreamIT {

    private static final Duration SOON = Duration.ofSeconds(10);
    /** The default max_image_pixels. */
    private static final String PIXEL_LIMIT = "exceeds the limit of 50000000 pixels";
    private static final String UNKNOWN_HOST = "no-such-camera.invalid";

    /** Per bomb image: its validation, the body it serves once armed, the size it declares, what it serves now. */
    private static final Map<String, String> VALIDATION = new LinkedHashMap<>();
    private static final Map<String, byte[]> BOMBS = new LinkedHashMap<>();
    private static final Map<String, String> DECLARED = new LinkedHashMap<>();
    private static final Map<String, AtomicReference<byte[]>> SERVED = new LinkedHashMap<>();

    private static FakeCamera camera;

    @ArquillianResource
    private URL base;

    @Deployment(testable = false)
    static WebArchive deployment() throws IOException {
        // PNG stores 32-bit sizes; JPEG at most 65535 a side, which is still 4.3 gigapixels.
        bomb("png_conversion", "conversion", TestImages.pngDeclaring(100_000, 100_000), "100000x100000");
        bomb("jpeg_conversion", "conversion", TestImages.jpegDeclaring(65_535, 65_535), "65535x65535");
        bomb("jpeg_valid", "valid_jpeg", TestImages.jpegDeclaring(65_535, 65_535), "65535x65535");
        camera = FakeCamera.http().serve("/healthy", stamped("healthy"));
        SERVED.forEach((id, body) -> camera.serve("/" + id, Routes.image(body::get, "image/jpeg")));
        // last_frame keeps serving the previous frame once stale; the short timeout caps the retry backoff.
        StringBuilder yaml = new StringBuilder("""
                mjpeg-server:
                  fetch_minimum_fps: 5
                  image_timeout_seconds: 2
                  image_timeout_behavior: last_frame
                images:
                  healthy: %s
                  dns:
                    url: http://%s/snapshot.jpg
                    image_timeout_behavior: disconnect
                """.formatted(camera.url("/healthy"), UNKNOWN_HOST));
        VALIDATION.forEach((id, validation) -> yaml.append("  ").append(id).append(":\n")
                .append("    url: ").append(camera.url("/" + id)).append('\n')
                .append("    image_validation: ").append(validation).append('\n'));
        return Deployments.war(yaml.toString());
    }

    private static void bomb(String id, String validation, byte[] body, String declared) {
        VALIDATION.put(id, validation);
        BOMBS.put(id, body);
        DECLARED.put(id, declared);
        // A good image first, so that there is a previous frame to keep.
        SERVED.put(id, new AtomicReference<>(id.startsWith("png") ? TestImages.png(64, 48, id) : TestImages.jpeg(64, 48, id)));
    }

    private static Route stamped(String label) {
        byte[] jpeg = TestImages.jpeg(64, 48, label);
        AtomicInteger count = new AtomicInteger();
        return Routes.image(() -> TestImages.withComment(jpeg, label + "-" + count.incrementAndGet()), "image/jpeg");
    }

    @AfterAll
    static void stopCamera() {
        camera.close();
    }

    private static boolean fresh(JsonNode image) {
        return image.get("state").asText().equals("fresh");
    }

    @Test
    void imagesDeclaringGiantSizesAreRefusedFromTheHeaderAndThePreviousFrameStays() {
        ServerApi api = new ServerApi(base);
        Map<String, byte[]> previous = new LinkedHashMap<>();
        for (String id : BOMBS.keySet()) {
            api.awaitImage(id, HostileUpstreamIT::fresh, SOON, "shows its good frame");
            HttpResponse<byte[]> snapshot = api.get("images/" + id);
            assertEquals(200, snapshot.statusCode());
            previous.put(id, snapshot.body());
        }
        BOMBS.forEach((id, bomb) -> SERVED.get(id).set(bomb));

        for (String id : BOMBS.keySet()) {
            JsonNode refused = api.awaitImage(id, image -> image.get("last_error").asText("").contains(PIXEL_LIMIT),
                    SOON, "reports the pixel limit");
            String error = refused.get("last_error").asText();
            assertTrue(error.contains(DECLARED.get(id)), id + ": " + error);
            // Refused again and again without harm: the poller goes on at its rate.
            long failed = refused.get("fetches_failed").asLong();
            api.awaitImage(id, image -> image.get("fetches_failed").asLong() >= failed + 3, SOON, "keeps polling");
            HttpResponse<byte[]> snapshot = api.get("images/" + id);
            assertEquals(200, snapshot.statusCode(), id);
            assertArrayEquals(previous.get(id), snapshot.body(), id + ": the previous frame must stay");
            String state = api.image(id).get("state").asText();
            assertTrue(state.equals("failing") || state.equals("stale"), id + ": " + state);
        }
        assertHealthyServer(api);

        // The camera behaves again: so does the image.
        BOMBS.keySet().forEach(id -> SERVED.get(id).set(TestImages.jpeg(64, 48, id + " again")));
        for (String id : BOMBS.keySet()) {
            api.awaitImage(id, HostileUpstreamIT::fresh, SOON, "recovers");
        }
    }

    @Test
    void anUnknownHostIsReportedAndOtherImagesCarryOn() {
        ServerApi api = new ServerApi(base);
        JsonNode dns = api.awaitImage("dns", image -> !image.get("last_error").isNull(), SOON, "reports an error");
        assertEquals("unknown host " + UNKNOWN_HOST, dns.get("last_error").asText());
        assertEquals(0, dns.get("fetches_ok").asLong());
        HttpResponse<byte[]> snapshot = api.get("images/dns");
        assertEquals(503, snapshot.statusCode());
        assertHealthyServer(api);
    }

    /** /health answers and the healthy camera is fetched at its rate, whatever the others do. */
    private static void assertHealthyServer(ServerApi api) {
        assertEquals(200, api.getText("health").statusCode());
        long before = api.image("healthy").get("fetches_ok").asLong();
        long started = System.nanoTime();
        JsonNode healthy = api.awaitImage("healthy", image -> image.get("fetches_ok").asLong() >= before + 5, SOON,
                "keeps being fetched");
        assertTrue(fresh(healthy), healthy.toString());
        // 5 fetches at 5 per second: about a second, given a generous margin for a busy machine.
        long took = (System.nanoTime() - started) / 1_000_000;
        assertTrue(took < 4000, "5 fetches of the healthy image took " + took + " ms");
    }
}

package org.mjpegserver.fetch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mjpegserver.fetch.ImagesApi.countBetween;
import static org.mjpegserver.fetch.ImagesApi.fetchesFailed;
import static org.mjpegserver.fetch.ImagesApi.fetchesOk;
import static org.mjpegserver.fetch.ImagesApi.lastError;
import static org.mjpegserver.fetch.ImagesApi.state;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URL;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
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
import org.mjpegserver.testing.TestImages;

/**
 * Broken upstreams: each failure is reported in GET /images, keeps the previous frame until the timeout, is
 * retried with a growing backoff, is bounded in time and size, and never slows another image down.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
final class FetchFailuresIT {

    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final long HUGE_BYTES = 200_000_000L;
    private static final long MAX_IMAGE_BYTES = 100_000L;
    private static final List<byte[]> FLAKY_FRAMES = List.of(
            TestImages.jpeg(64, 48, "flaky 1"), TestImages.jpeg(64, 48, "flaky 2"), TestImages.jpeg(64, 48, "flaky 3"));

    private static FakeCamera camera;
    /** A camera of its own, so that switching it down leaves the others alone. */
    private static FakeCamera flakyCamera;
    private static Routes.Huge huge;
    private static final AtomicLong chunkedBytesWritten = new AtomicLong();

    @ArquillianResource
    private URL base;

    @Deployment(testable = false)
    static WebArchive deployment() {
        camera = FakeCamera.http();
        flakyCamera = FakeCamera.http();
        huge = Routes.huge(HUGE_BYTES);
        camera.serve("/healthy", Routes.sequence(List.of(TestImages.jpeg(64, 48, "healthy 1"), TestImages.jpeg(64, 48, "healthy 2"))))
                .serve("/garbage", Routes.garbage())
                .serve("/html", Routes.html200())
                .serve("/status500", Routes.status(500))
                .serve("/backoff", Routes.status(503))
                .serve("/hang", Routes.hang())
                .serve("/trickle", Routes.trickle())
                .serve("/huge", huge)
                .serve("/huge_chunked", endlessChunkedBody())
                .serve("/redirect", Routes.redirectLoop());
        flakyCamera.serve("/disconnect", Routes.sequence(FLAKY_FRAMES))
                .serve("/last_frame", Routes.sequence(FLAKY_FRAMES));
        return Deployments.war(""
                + "mjpeg-server:\n"
                + "  fetch_minimum_fps: 1\n"
                + "  image_timeout_seconds: 30\n"
                + "images:\n"
                + "  healthy:\n"
                + "    url: '" + camera.url("/healthy") + "'\n"
                + "    fetch_minimum_fps: 5\n"
                + "  flaky_disconnect:\n"
                + "    url: '" + flakyCamera.url("/disconnect") + "'\n"
                + "    fetch_minimum_fps: 5\n"
                + "    image_timeout_seconds: 3\n"
                + "    image_timeout_behavior: disconnect\n"
                + "  flaky_last_frame:\n"
                + "    url: '" + flakyCamera.url("/last_frame") + "'\n"
                + "    fetch_minimum_fps: 5\n"
                + "    image_timeout_seconds: 3\n"
                + "    image_timeout_behavior: last_frame\n"
                + "  garbage:\n"
                + "    url: '" + camera.url("/garbage") + "'\n"
                + "    image_timeout_seconds: 2\n"
                + "  html:\n"
                + "    url: '" + camera.url("/html") + "'\n"
                + "    image_timeout_seconds: 2\n"
                + "  status500:\n"
                + "    url: '" + camera.url("/status500") + "'\n"
                + "    image_timeout_seconds: 2\n"
                + "  backoff:\n"
                + "    url: '" + camera.url("/backoff") + "'\n"
                + "    fetch_minimum_fps: 4\n"
                + "    image_timeout_seconds: 3\n"
                + "  hang:\n"
                + "    url: '" + camera.url("/hang") + "'\n"
                + "  trickle:\n"
                + "    url: '" + camera.url("/trickle") + "'\n"
                + "  huge:\n"
                + "    url: '" + camera.url("/huge") + "'\n"
                + "    fetch_minimum_fps: 0.5\n"
                + "    max_image_bytes: " + MAX_IMAGE_BYTES + "\n"
                + "  huge_chunked:\n"
                + "    url: '" + camera.url("/huge_chunked") + "'\n"
                + "    fetch_minimum_fps: 0.5\n"
                + "    max_image_bytes: " + MAX_IMAGE_BYTES + "\n"
                + "  redirect:\n"
                + "    url: '" + camera.url("/redirect") + "'\n"
                + "    image_timeout_seconds: 2\n");
    }

    @AfterAll
    static void stopCameras() {
        camera.close();
        flakyCamera.close();
    }

    /** A body without Content-Length that never ends, so only counting while reading can stop it. */
    private static Route endlessChunkedBody() {
        return exchange -> {
            exchange.getRequestBody().readAllBytes();
            exchange.getResponseHeaders().set("Content-Type", "image/jpeg");
            exchange.sendResponseHeaders(200, 0);
            byte[] chunk = new byte[64 * 1024];
            chunk[0] = (byte) 0xFF;
            chunk[1] = (byte) 0xD8;
            OutputStream out = exchange.getResponseBody();
            try {
                // A ceiling of its own, so a client that never hangs up cannot keep this thread forever.
                for (long sent = 0; sent < 2L * HUGE_BYTES; sent += chunk.length) {
                    out.write(chunk);
                    chunkedBytesWritten.addAndGet(chunk.length);
                }
            } catch (IOException e) {
                // The client hung up: the expected end.
            }
        };
    }

    private ImagesApi api() {
        return new ImagesApi(base);
    }

    private static boolean isFlakyFrame(byte[] body) {
        return FLAKY_FRAMES.stream().anyMatch(frame -> Arrays.equals(frame, body));
    }

    @Test
    void cameraGoingDownKeepsThePreviousFrameUntilTheTimeoutThenRecovers() {
        ImagesApi api = api();
        api.await("flaky_disconnect", WAIT, "first frames", image -> fetchesOk(image) >= 2);
        api.await("flaky_last_frame", WAIT, "first frames", image -> fetchesOk(image) >= 2);
        flakyCamera.setDown(true);
        JsonNode failing = api.await("flaky_disconnect", WAIT, "a 503 failure",
                image -> lastError(image) != null && lastError(image).contains("503"));
        api.await("flaky_last_frame", WAIT, "a 503 failure", image -> lastError(image) != null && lastError(image).contains("503"));
        assertEquals("failing", state(failing), failing.toString());
        long okWhenDown = fetchesOk(failing);
        byte[] kept = api.snapshot("flaky_disconnect").body();
        byte[] keptLast = api.snapshot("flaky_last_frame").body();
        assertTrue(isFlakyFrame(kept), "the snapshot must still be the camera's last frame");
        assertTrue(isFlakyFrame(keptLast), "the snapshot must still be the camera's last frame");

        // More failures pile up, the frame stays the same.
        long failedNow = fetchesFailed(failing);
        JsonNode later = api.await("flaky_disconnect", WAIT, "more failures", image -> fetchesFailed(image) > failedNow);
        assertEquals(okWhenDown, fetchesOk(later), later.toString());
        assertArrayEquals(keptLast, api.snapshot("flaky_last_frame").body());
        var beforeTimeout = api.snapshot("flaky_disconnect");
        if (beforeTimeout.statusCode() == 200) {
            // Unless the 3 s timeout has passed meanwhile on a slow machine, the frame is still the old one.
            assertArrayEquals(kept, beforeTimeout.body());
        }

        // After image_timeout_seconds without a frame: disconnect refuses, last_frame keeps showing the old one.
        api.await("flaky_disconnect", WAIT, "stale", image -> "stale".equals(state(image)));
        api.await("flaky_last_frame", WAIT, "stale", image -> "stale".equals(state(image)));
        assertEquals(503, api.snapshot("flaky_disconnect").statusCode());
        var lastFrame = api.snapshot("flaky_last_frame");
        assertEquals(200, lastFrame.statusCode());
        assertArrayEquals(keptLast, lastFrame.body());

        flakyCamera.setDown(false);
        // The backoff is capped at the 3 s timeout, so recovery comes within a few seconds.
        api.await("flaky_disconnect", WAIT, "fresh again", image -> "fresh".equals(state(image)));
        api.awaitSnapshot("flaky_disconnect", WAIT, "a new frame", body -> isFlakyFrame(body) && !Arrays.equals(body, kept));
        api.awaitSnapshot("flaky_last_frame", WAIT, "a new frame", body -> isFlakyFrame(body) && !Arrays.equals(body, keptLast));
    }

    @Test
    void bodiesThatAreNoJpegAreRefusedAndReported() {
        ImagesApi api = api();
        assertRefused(api, "garbage", "not a JPEG");
        assertRefused(api, "html", "not a JPEG");
        assertRefused(api, "status500", "HTTP 500");
    }

    private static void assertRefused(ImagesApi api, String id, String expectedError) {
        JsonNode image = api.await(id, WAIT, "two failed fetches", i -> fetchesFailed(i) >= 2);
        String error = lastError(image);
        assertNotNull(error, image.toString());
        assertTrue(error.contains(expectedError), id + ": " + error);
        assertNotNull(image.get("last_error_time").textValue(), image.toString());
        assertEquals(0, fetchesOk(image), image.toString());
        assertEquals(503, api.snapshot(id).statusCode(), id + " must have no frame");
    }

    @Test
    void failuresAreRetriedWithGrowingGapsCappedAtTheImageTimeout() {
        // fetch_minimum_fps 4 and a 3 s timeout: gaps of about 0.25, 0.5, 1, 2, then 3 s again and again.
        Instant deadline = Instant.now().plus(Duration.ofSeconds(40));
        while (camera.requests("/backoff") < 8 && Instant.now().isBefore(deadline)) {
            ImagesApi.pause(200);
        }
        List<Instant> times = camera.requestTimes("/backoff");
        assertTrue(times.size() >= 8, "only " + times.size() + " requests");
        List<Long> gaps = new ArrayList<>();
        for (int i = 1; i < times.size(); i++) {
            gaps.add(Duration.between(times.get(i - 1), times.get(i)).toMillis());
        }
        String described = "gaps in ms: " + gaps;
        // The first gap falls into the deployment's busy start and may stretch; it is at least the interval.
        assertTrue(gaps.get(0) >= 200, described);
        for (int i = 1; i < 4; i++) {
            // Doubling: never shorter than planned; scheduling on a busy machine only makes a gap longer.
            long planned = 250L << i;
            assertTrue(gaps.get(i) >= planned * 0.9 && gaps.get(i) <= planned + 1_000, "gap " + i + ", " + described);
        }
        for (int i = 4; i < gaps.size(); i++) {
            assertTrue(gaps.get(i) >= 2_500 && gaps.get(i) <= 3_800, "capped at 3 s: " + described);
        }
        JsonNode image = api().image("backoff");
        assertTrue(lastError(image).contains("503"), image.toString());
    }

    @Test
    void hangingAndTricklingCamerasAreGivenUpOnWithinTheReadTimeoutWhileOthersKeepTheirRate() {
        ImagesApi api = api();
        // The read timeout is 10 s; well within 15 s of its first request the poller must have given up.
        JsonNode hang = api.await("hang", Duration.ofSeconds(30), "a failed fetch", image -> fetchesFailed(image) >= 1);
        JsonNode trickle = api.await("trickle", Duration.ofSeconds(30), "a failed fetch", image -> fetchesFailed(image) >= 1);
        assertTrue(lastError(hang).contains("timed out"), lastError(hang));
        assertTrue(lastError(trickle).contains("read timeout"), lastError(trickle));
        Instant hangStart = camera.requestTimes("/hang").get(0);
        Instant trickleStart = camera.requestTimes("/trickle").get(0);
        Duration hangTook = Duration.between(hangStart, Instant.parse(hang.get("last_error_time").asText()));
        Duration trickleTook = Duration.between(trickleStart, Instant.parse(trickle.get("last_error_time").asText()));
        assertTrue(hangTook.toMillis() >= 9_000 && hangTook.toMillis() <= 15_000, "hang gave up after " + hangTook);
        assertTrue(trickleTook.toMillis() >= 9_000 && trickleTook.toMillis() <= 15_000, "trickle gave up after " + trickleTook);
        // Polling goes on after giving up.
        api.await("hang", Duration.ofSeconds(20), "a second request", image -> camera.requests("/hang") >= 2);

        // While those two held their fetches for 10 s, the healthy image went on at about 5 fps.
        long healthyMeanwhile = countBetween(camera.requestTimes("/healthy"), hangStart.plusSeconds(1), Duration.ofSeconds(8));
        assertTrue(healthyMeanwhile >= 20, "healthy image fetched only " + healthyMeanwhile + " times in 8 s");
        assertEquals(0, fetchesFailed(api.image("healthy")));
    }

    @Test
    void bodiesOverMaxImageBytesAreCutOffEarly() {
        ImagesApi api = api();
        JsonNode image = api.await("huge", WAIT, "a failed fetch", i -> fetchesFailed(i) >= 1);
        assertTrue(lastError(image).contains("max_image_bytes"), lastError(image));
        JsonNode chunked = api.await("huge_chunked", WAIT, "a failed fetch", i -> fetchesFailed(i) >= 1);
        assertTrue(lastError(chunked).contains("max_image_bytes"), lastError(chunked));
        assertEquals(503, api.snapshot("huge").statusCode());
        assertEquals(503, api.snapshot("huge_chunked").statusCode());
        // Give the camera threads a moment to notice the hang-up, then compare what left with what was promised.
        ImagesApi.pause(500);
        long perRequest = huge.bytesWritten() / Math.max(1, camera.requests("/huge"));
        long chunkedPerRequest = chunkedBytesWritten.get() / Math.max(1, camera.requests("/huge_chunked"));
        assertTrue(perRequest < HUGE_BYTES / 20, "huge: " + perRequest + " bytes written per request");
        assertTrue(chunkedPerRequest < HUGE_BYTES / 20, "chunked: " + chunkedPerRequest + " bytes written per request");
    }

    @Test
    void endlessRedirectsAreBoundedAndReported() {
        ImagesApi api = api();
        JsonNode image = api.await("redirect", WAIT, "two failed fetches", i -> fetchesFailed(i) >= 2);
        String error = lastError(image);
        assertNotNull(error, image.toString());
        assertTrue(error.toLowerCase(Locale.ROOT).contains("redirect"), error);
        assertEquals(0, fetchesOk(image));
        // At most the first request plus a handful of redirects per fetch, counting one fetch possibly in flight.
        long fetches = fetchesFailed(api.image("redirect")) + 1;
        int requests = camera.requests("/redirect");
        assertTrue(requests <= 7 * fetches, requests + " requests for " + fetches + " fetches");
    }

    @Test
    void healthyImageKeepsItsRateNextToBrokenOnes() {
        ImagesApi api = api();
        api.await("healthy", WAIT, "some frames", image -> fetchesOk(image) >= 5);
        Instant from = Instant.now();
        ImagesApi.pause(3_000);
        long count = countBetween(camera.requestTimes("/healthy"), from, Duration.ofSeconds(3));
        // fetch_minimum_fps 5 over 3 s is 15; allow half of it on a busy machine.
        assertTrue(count >= 8 && count <= 22, count + " fetches in 3 s");
        JsonNode image = api.image("healthy");
        assertEquals("fresh", state(image));
        assertEquals(0, fetchesFailed(image), image.toString());
        assertFalse(image.get("average_fetch_fps").asDouble() < 2.5, image.toString());
    }
}

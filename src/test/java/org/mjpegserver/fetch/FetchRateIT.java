package org.mjpegserver.fetch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mjpegserver.fetch.ImagesApi.countBetween;
import static org.mjpegserver.fetch.ImagesApi.fetchesOk;

import java.io.IOException;
import java.net.URL;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.mjpegserver.testing.FakeCamera;
import org.mjpegserver.testing.Deployments;
import org.mjpegserver.testing.MjpegReader;
import org.mjpegserver.testing.Routes;
import org.mjpegserver.testing.TestImages;

/**
 * The fetch rate follows the viewers within fetch_minimum_fps and fetch_maximum_fps, counted at the camera;
 * many viewers share one request at a time. Tolerances are wide (about 50 %) for a busy machine.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
final class FetchRateIT {

    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final Duration WINDOW = Duration.ofSeconds(3);
    private static final Duration SLOW = Duration.ofMillis(300);

    private static FakeCamera camera;

    @ArquillianResource
    private URL base;

    @Deployment(testable = false)
    static WebArchive deployment() {
        camera = FakeCamera.http();
        byte[] jpeg = TestImages.jpeg(64, 48, "rate");
        camera.serve("/idle", Routes.jpeg(jpeg))
                .serve("/viewed", Routes.jpeg(jpeg))
                .serve("/capped", Routes.jpeg(jpeg))
                .serve("/crowd", Routes.slow(SLOW, Routes.jpeg(jpeg)));
        return Deployments.war(""
                + "mjpeg-server:\n"
                + "  fetch_minimum_fps: 1\n"
                + "  fetch_maximum_fps: 30\n"
                + "images:\n"
                + "  idle:\n"
                + "    url: '" + camera.url("/idle") + "'\n"
                + "    fetch_minimum_fps: 2\n"
                + "  viewed:\n"
                + "    url: '" + camera.url("/viewed") + "'\n"
                + "  capped:\n"
                + "    url: '" + camera.url("/capped") + "'\n"
                + "    fetch_maximum_fps: 4\n"
                + "  crowd:\n"
                + "    url: '" + camera.url("/crowd") + "'\n");
    }

    @AfterAll
    static void stopCamera() {
        camera.close();
    }

    private ImagesApi api() {
        return new ImagesApi(base);
    }

    /** Fetches the camera answered in a window that starts now. */
    private static long requestsOver(String path, Duration window) {
        Instant from = Instant.now();
        ImagesApi.pause(window.toMillis() + 200);
        return countBetween(camera.requestTimes(path), from, window);
    }

    /** Opens viewers and waits for each to get a frame, so all of them count as demand. */
    private List<MjpegReader> viewers(String id, int count, int frameRate) throws IOException {
        List<MjpegReader> readers = new ArrayList<>();
        try {
            for (int i = 0; i < count; i++) {
                readers.add(MjpegReader.open(api().streamUrl(id, frameRate)));
            }
            for (MjpegReader reader : readers) {
                assertNotNull(reader.next(), "stream of '" + id + "' ended before its first frame");
            }
        } catch (IOException | RuntimeException | Error e) {
            close(readers);
            throw e;
        }
        return readers;
    }

    private static void close(List<MjpegReader> readers) {
        for (MjpegReader reader : readers) {
            try {
                reader.close();
            } catch (IOException e) {
                // Closing is best effort; the server notices the hang-up either way.
            }
        }
    }

    @Test
    void withoutViewersFetchesAtTheMinimumRate() {
        api().await("idle", WAIT, "first frames", image -> fetchesOk(image) >= 2);
        long count = requestsOver("/idle", WINDOW);
        // 2 fps for 3 s is 6.
        assertTrue(count >= 3 && count <= 9, count + " fetches in 3 s without viewers");
    }

    @Test
    void oneViewerRaisesTheRateToItsFrameRate() throws IOException {
        List<MjpegReader> readers = viewers("viewed", 1, 10);
        try {
            ImagesApi.pause(500);
            long count = requestsOver("/viewed", WINDOW);
            // 10 fps for 3 s is 30, against 3 at the 1 fps minimum.
            assertTrue(count >= 15 && count <= 45, count + " fetches in 3 s with a 10 fps viewer");
        } finally {
            close(readers);
        }
    }

    @Test
    void fetchMaximumFpsCapsWhatViewersAskFor() throws IOException {
        List<MjpegReader> readers = viewers("capped", 1, 10);
        try {
            ImagesApi.pause(500);
            long count = requestsOver("/capped", WINDOW);
            // Capped at 4 fps: 12 in 3 s, where 10 fps would give 30.
            assertTrue(count >= 6 && count <= 18, count + " fetches in 3 s, capped at 4 fps");
        } finally {
            close(readers);
        }
    }

    @Test
    void manyViewersShareOneRequestInFlight() throws IOException {
        List<MjpegReader> readers = viewers("crowd", 20, 10);
        try {
            assertEquals(20, api().image("crowd").get("streams").size());
            long count = requestsOver("/crowd", WINDOW);
            // Each fetch takes 300 ms, one at a time: at most 10 in 3 s. Twenty viewers at 10 fps each must not
            // turn into 20 parallel fetches or 200 in 3 s.
            assertTrue(count >= 5 && count <= 11, count + " fetches in 3 s for 20 viewers of a 300 ms camera");
            assertEquals(1, camera.maxConcurrent("/crowd"), "requests in flight at once");
        } finally {
            close(readers);
        }
    }
}

package org.mjpegserver.stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.mjpegserver.stream.StreamChecks.awaitSnapshot;
import static org.mjpegserver.stream.StreamChecks.awaitState;
import static org.mjpegserver.stream.StreamChecks.millis;
import static org.mjpegserver.stream.StreamChecks.size;
import static org.mjpegserver.stream.StreamChecks.tagNumber;
import static org.mjpegserver.stream.StreamChecks.tagged;

import java.io.IOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.function.Predicate;
import java.util.logging.Level;
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
import org.mjpegserver.testing.MjpegReader.Part;
import org.mjpegserver.testing.Routes;
import org.mjpegserver.testing.TestImages;
import org.mjpegserver.testing.LogCapture;

/**
 * What open streams, snapshots and new streams get once a camera stops answering, under each
 * image_timeout_behavior, and how streams resume when it answers again. Each image has a camera of its own,
 * because "down" is a switch of the whole camera.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
final class StreamTimeoutIT {

    /** Camera frames are 320x240 and the stale image 200x150, so a decoded size tells them apart. */
    private static final String CAMERA_SIZE = "320x240";
    private static final String STALE_SIZE = "200x150";
    private static final String PLACEHOLDER_SIZE = "640x360";
    private static final byte[] BASE = TestImages.jpeg(320, 240, "timeout");
    private static final FakeCamera DISCONNECT = camera("dc");
    private static final FakeCamera STALE = camera("stale");
    private static final FakeCamera LAST = camera("last");
    private static final FakeCamera DEAD = camera("dead");

    @ArquillianResource
    private URL base;

    private static FakeCamera camera(String name) {
        return FakeCamera.http().serve("/snapshot", Routes.sequence(tagged(BASE, name, 2000)));
    }

    @Deployment(testable = false)
    static WebArchive deployment() throws IOException {
        DEAD.setDown(true);
        WebArchive war = Deployments.war("mjpeg-server:\n"
                + "  stream_fps: 5\n"
                // Many fetches per timeout, so that a busy machine does not make an image stale by accident.
                + "  fetch_minimum_fps: 10\n"
                + "  image_timeout_seconds: 2\n"
                + "images:\n"
                + "  dc:\n"
                + "    url: " + DISCONNECT.url("/snapshot") + "\n"
                + "    image_timeout_behavior: disconnect\n"
                + "  stale:\n"
                + "    url: " + STALE.url("/snapshot") + "\n"
                + "    image_timeout_behavior: stale_image\n"
                + "    stale_image_path: stale.png\n"
                + "  last:\n"
                + "    url: " + LAST.url("/snapshot") + "\n"
                + "    image_timeout_behavior: last_frame\n"
                + "  never:\n"
                + "    url: " + DEAD.url("/snapshot") + "\n"
                + "    image_timeout_behavior: last_frame\n"
                + "  never_custom:\n"
                + "    url: " + DEAD.url("/snapshot") + "\n"
                + "    image_timeout_behavior: last_frame\n"
                + "    stale_image_path: stale.png\n");
        // Next to config.yaml, where the relative stale_image_path points; the server reads it when deployed.
        Path folder = Path.of(System.getProperty("mjpeg.server.config")).getParent();
        Files.write(folder.resolve("stale.png"), TestImages.png(200, 150, "stale"));
        folder.resolve("stale.png").toFile().deleteOnExit();
        return war;
    }

    @AfterAll
    static void stopCameras() {
        for (FakeCamera camera : List.of(DISCONNECT, STALE, LAST, DEAD)) {
            camera.close();
        }
    }

    @Test
    void disconnectEndsOpenStreamsAndRefusesSnapshotsAndNewStreams() throws Exception {
        awaitSnapshot(base, "dc");
        try (LogCapture log = LogCapture.of("").minimum(Level.SEVERE); MjpegReader reader = MjpegReader.open(base + "images/dc/stream")) {
            reader.read(2);
            DISCONNECT.setDown(true);
            long down = System.nanoTime();
            Part part;
            do {
                part = reader.next();
            } while (part != null && System.nanoTime() - down < 10_000_000_000L);
            long ended = millis(System.nanoTime() - down);
            assertNull(part, "the stream still sends frames " + ended + " ms after the camera went down");
            // image_timeout_seconds is 2: not at the first failed fetch, and soon after the timeout.
            assertTrue(ended >= 1500 && ended < 6000, "the stream ended " + ended + " ms after the camera went down");

            var snapshot = Http.getText(base + "images/dc");
            assertEquals(503, snapshot.statusCode());
            assertPlainText(snapshot.headers().firstValue("Content-Type").orElse(""));
            assertTrue(snapshot.body().startsWith("503 "), snapshot.body());
            var stream = Http.getText(base + "images/dc/stream");
            assertEquals(503, stream.statusCode());
            assertPlainText(stream.headers().firstValue("Content-Type").orElse(""));
            // Ending streams is the configured behaviour, not an error.
            assertEquals(List.of(), log.texts());
        } finally {
            DISCONNECT.setDown(false);
        }
        // Recovery: snapshots and streams work again once the camera answers.
        awaitSnapshot(base, "dc");
        try (MjpegReader reader = MjpegReader.open(base + "images/dc/stream")) {
            assertEquals(CAMERA_SIZE, size(reader.read(2).get(1).jpeg()));
        }
    }

    @Test
    void staleImageReplacesFramesThenRealFramesResume() throws Exception {
        awaitSnapshot(base, "stale");
        try (MjpegReader reader = MjpegReader.open(base + "images/stale/stream")) {
            int lastGood = tagNumber(reader.read(2).get(1).jpeg());
            STALE.setDown(true);
            Part stale;
            try {
                stale = readUntil(reader, part -> STALE_SIZE.equals(size(part.jpeg())), Duration.ofSeconds(8));
                // From now on every part is the stale image, converted once to JPEG.
                for (Part part : reader.read(3)) {
                    assertArrayEquals(stale.jpeg(), part.jpeg());
                }
                var snapshot = Http.get(base + "images/stale");
                assertEquals(200, snapshot.statusCode());
                assertArrayEquals(stale.jpeg(), snapshot.body());
            } finally {
                STALE.setDown(false);
            }
            Part fresh = readUntil(reader, part -> tagNumber(part.jpeg()) > lastGood, Duration.ofSeconds(8));
            assertEquals(CAMERA_SIZE, size(fresh.jpeg()));
        }
    }

    @Test
    void lastFrameKeepsSendingTheLastGoodFrameThenRealFramesResume() throws Exception {
        awaitSnapshot(base, "last");
        try (MjpegReader reader = MjpegReader.open(base + "images/last/stream")) {
            reader.read(2);
            LAST.setDown(true);
            byte[] lastGood;
            try {
                awaitState(base, "last", "stale", Duration.ofSeconds(8));
                var snapshot = Http.get(base + "images/last");
                assertEquals(200, snapshot.statusCode());
                lastGood = snapshot.body();
                assertTrue(tagNumber(lastGood) >= 0, "the snapshot is not a camera frame");
                // Drain what was sent before the image went stale, then watch the stream for a while.
                readUntil(reader, part -> Arrays.equals(lastGood, part.jpeg()), Duration.ofSeconds(5));
                long from = System.nanoTime();
                int count = 0;
                while (System.nanoTime() - from < 1_500_000_000L) {
                    Part part = reader.next();
                    assertNotNull(part, "the stream ended under last_frame");
                    assertArrayEquals(lastGood, part.jpeg(), "a stale last_frame stream sent another frame");
                    count++;
                }
                // 5 fps for 1.5 s: the stream keeps its pace while repeating.
                assertTrue(count >= 4, "only " + count + " parts in 1.5 s");
            } finally {
                LAST.setDown(false);
            }
            int lastTag = tagNumber(lastGood);
            Part fresh = readUntil(reader, part -> tagNumber(part.jpeg()) > lastTag, Duration.ofSeconds(8));
            assertEquals(CAMERA_SIZE, size(fresh.jpeg()));
        }
    }

    @Test
    void lastFrameWithoutAnyFrameSendsTheBuiltInPlaceholder() throws Exception {
        assertNoFrameEverShows("never", PLACEHOLDER_SIZE);
    }

    @Test
    void lastFrameWithoutAnyFrameSendsTheConfiguredStaleImage() throws Exception {
        assertNoFrameEverShows("never_custom", STALE_SIZE);
    }

    private void assertNoFrameEverShows(String id, String expectedSize) throws IOException {
        awaitState(base, id, "stale", Duration.ofSeconds(8));
        var snapshot = Http.get(base + "images/" + id);
        assertEquals(200, snapshot.statusCode());
        assertEquals(expectedSize, size(snapshot.body()));
        try (MjpegReader reader = MjpegReader.open(base + "images/" + id + "/stream")) {
            for (Part part : reader.read(3)) {
                assertArrayEquals(snapshot.body(), part.jpeg());
            }
        }
    }

    private static Part readUntil(MjpegReader reader, Predicate<Part> wanted, Duration within) throws IOException {
        long deadline = System.nanoTime() + within.toNanos();
        while (System.nanoTime() < deadline) {
            Part part = reader.next();
            assertNotNull(part, "the stream ended");
            if (wanted.test(part)) {
                return part;
            }
        }
        return fail("no such part within " + within.toSeconds() + " s");
    }

    private static void assertPlainText(String contentType) {
        assertTrue(contentType.startsWith("text/plain"), "Content-Type " + contentType);
    }
}

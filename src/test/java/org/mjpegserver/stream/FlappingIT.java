package org.mjpegserver.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.URL;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.mjpegserver.testing.Await;
import org.mjpegserver.testing.Deployments;
import org.mjpegserver.testing.FakeCamera;
import org.mjpegserver.testing.MjpegFormatException;
import org.mjpegserver.testing.Route;
import org.mjpegserver.testing.Routes;
import org.mjpegserver.testing.ServerApi;
import org.mjpegserver.testing.StreamRecorder;
import org.mjpegserver.testing.TestImages;

/**
 * A camera that is up for 2 s and down for 5 s, again and again, with a 2 s image timeout: each timeout
 * behaviour holds while it is down, real frames come back soon after it is up again, and nothing (threads,
 * streams) piles up over the cycles.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
final class FlappingIT {

    private static final long UP = TimeUnit.SECONDS.toNanos(2);
    private static final long DOWN = TimeUnit.SECONDS.toNanos(5);
    private static final long PERIOD = UP + DOWN;
    private static final long TIMEOUT = TimeUnit.SECONDS.toNanos(2);
    /** Room for request round trips, the 200 ms staleness check and a busy machine. */
    private static final long SLACK = TimeUnit.MILLISECONDS.toNanos(500);
    /** After recovery the next fetch is at most one backed-off interval away, and backoff is capped at the timeout. */
    private static final long RECOVERY = TIMEOUT + SLACK;
    private static final long MAX_GAP = TimeUnit.SECONDS.toNanos(1);
    private static final int CYCLES = 2;
    private static final String[] IDS = {"last_frame", "stale_image", "disconnect"};

    private static FakeCamera camera;
    /** System.nanoTime() when the flapping began: the camera is up in [start + k P, start + k P + UP). */
    private static long start;

    @ArquillianResource
    private URL base;

    @Deployment(testable = false)
    static WebArchive deployment() throws IOException {
        camera = FakeCamera.http();
        List<Route> inner = new ArrayList<>();
        for (String id : IDS) {
            inner.add(stamped(id));
        }
        start = System.nanoTime();
        for (int i = 0; i < IDS.length; i++) {
            camera.serve("/" + IDS[i], Routes.flapping(Duration.ofNanos(UP), Duration.ofNanos(DOWN), inner.get(i)));
        }
        StringBuilder yaml = new StringBuilder("""
                mjpeg-server:
                  image_timeout_seconds: 2
                  stream_fps: 10
                  fetch_minimum_fps: 2
                  fetch_maximum_fps: 10
                images:
                """);
        for (String id : IDS) {
            yaml.append("  ").append(id).append(":\n")
                    .append("    url: ").append(camera.url("/" + id)).append('\n')
                    .append("    image_timeout_behavior: ").append(id).append('\n');
        }
        return Deployments.war(yaml.toString());
    }

    @AfterAll
    static void stopCamera() {
        camera.close();
    }

    /** Each response a new JPEG numbered in its comment ("disconnect-12"), so a stream shows whether a frame is new. */
    private static Route stamped(String label) {
        byte[] jpeg = TestImages.jpeg(64, 48, label);
        AtomicInteger count = new AtomicInteger();
        return Routes.image(() -> TestImages.withComment(jpeg, label + "-" + count.incrementAndGet()), "image/jpeg");
    }

    /** The camera's frame number of a part; -1 for the stale image (which has no comment). */
    private static int number(StreamRecorder.Part part) {
        String comment = part.comment();
        return comment == null ? -1 : Integer.parseInt(comment.substring(comment.lastIndexOf('-') + 1));
    }

    private static long upAt(int cycle, long firstUp) {
        return firstUp + cycle * PERIOD;
    }

    private static long ms(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(nanos);
    }

    private static long mjpegThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith("mjpeg-")).count();
    }

    @Test
    void streamsFollowTheTimeoutBehaviourWhileDownAndRecoverEachCycleLeavingNothingBehind() throws Exception {
        ServerApi api = new ServerApi(base);
        // Begin at the start of an up phase, with a little time to spare.
        long now = System.nanoTime();
        long firstUp = start + ((now - start) / PERIOD + 1) * PERIOD;
        Await.untilNanos(firstUp);
        List<Long> threadCounts = new ArrayList<>();
        List<StreamRecorder> disconnectStreams = new ArrayList<>();
        try (StreamRecorder lastFrame = StreamRecorder.start(api.url("images/last_frame/stream"));
                StreamRecorder staleImage = StreamRecorder.start(api.url("images/stale_image/stream"))) {
            disconnectStreams.add(openWhenServing(api, firstUp));
            for (int cycle = 1; cycle <= CYCLES; cycle++) {
                long downAt = upAt(cycle - 1, firstUp) + UP;
                long upAgain = upAt(cycle, firstUp);
                // disconnect: the open stream ends once the image is stale, and nothing is served while it is.
                StreamRecorder ending = disconnectStreams.get(disconnectStreams.size() - 1);
                ending.awaitEnd(Duration.ofNanos(downAt + TIMEOUT + RECOVERY - System.nanoTime()));
                assertNull(ending.failure(), "the stream should end cleanly");
                assertTrue(ending.endedNanos() - downAt >= TIMEOUT - SLACK, "ended " + ms(ending.endedNanos() - downAt)
                        + " ms after the camera went down, before the timeout");
                HttpResponse<byte[]> snapshot = api.get("images/disconnect");
                assertEquals(503, snapshot.statusCode(), "snapshot while stale");
                assertEquals(503, api.get("images/disconnect/stream").statusCode(), "new stream while stale");
                threadCounts.add(mjpegThreads());
                Await.untilNanos(upAgain);
                disconnectStreams.add(openWhenServing(api, upAgain));
            }
            // Into the last up phase, so that the last recovery is recorded on the other two streams too.
            Await.untilNanos(upAt(CYCLES, firstUp) + RECOVERY);

            assertFollowsTimeoutBehaviour(lastFrame, firstUp, false);
            assertFollowsTimeoutBehaviour(staleImage, firstUp, true);
        } finally {
            disconnectStreams.forEach(StreamRecorder::close);
        }

        // Viewers gone: their streams leave /images, and the threads stay as few as the config needs.
        for (String id : IDS) {
            api.awaitImage(id, image -> image.get("streams").isEmpty(), Duration.ofSeconds(5), "has no streams left");
        }
        threadCounts.add(mjpegThreads());
        long bound = IDS.length + 1 + Runtime.getRuntime().availableProcessors();
        assertTrue(threadCounts.stream().allMatch(count -> count <= bound),
                "mjpeg- threads over the cycles: " + threadCounts + ", expected at most " + bound);
    }

    /**
     * Opens a disconnect stream from the moment the camera is up again: it must serve a new camera frame
     * within the recovery time.
     */
    private static StreamRecorder openWhenServing(ServerApi api, long upAt) throws IOException {
        long deadline = upAt + RECOVERY;
        while (true) {
            try {
                StreamRecorder stream = StreamRecorder.start(api.url("images/disconnect/stream"));
                // Open only once a frame came after the recovery (stale refuses), so any camera frame will do.
                stream.awaitPart(upAt, p -> p.comment() != null, Duration.ofNanos(
                        Math.max(0, deadline - System.nanoTime()) + SLACK), "from the camera after recovery");
                return stream;
            } catch (MjpegFormatException e) {
                // 503 while still stale: the first fetch after recovery has not happened yet.
                if (System.nanoTime() - deadline > 0) {
                    fail("no disconnect stream within " + ms(RECOVERY) + " ms of the camera coming back: " + e.getMessage());
                }
                Await.pause(50);
            }
        }
    }

    /** Judges a whole recording, cycle by cycle, against the camera's known schedule. */
    private static void assertFollowsTimeoutBehaviour(StreamRecorder stream, long firstUp, boolean staleImage) {
        String name = staleImage ? "stale_image" : "last_frame";
        assertFalse(stream.ended(), name + " stream ended");
        assertNull(stream.failure(), name + " stream broke");
        assertTrue(stream.maxGapNanos() <= MAX_GAP, name + " stream paused for " + ms(stream.maxGapNanos()) + " ms");
        List<StreamRecorder.Part> parts = stream.parts();
        for (int cycle = 1; cycle <= CYCLES; cycle++) {
            long downAt = upAt(cycle - 1, firstUp) + UP;
            long upAgain = upAt(cycle, firstUp);
            int lastReal = parts.stream().filter(p -> p.nanos() < downAt + SLACK).mapToInt(FlappingIT::number).max().orElse(-1);
            assertTrue(lastReal > 0, name + ": no camera frame before cycle " + cycle + " went down");
            int stale = 0;
            for (StreamRecorder.Part part : parts) {
                long at = part.nanos();
                String when = name + " cycle " + cycle + ", " + ms(at - downAt) + " ms after going down: " + part.comment();
                if (at >= downAt + SLACK && at < upAgain) {
                    // Down: never a new camera frame; the last one repeats, and under stale_image the stale
                    // image takes over once the timeout has passed.
                    boolean repeat = number(part) == lastReal;
                    boolean staleFrame = number(part) == -1;
                    if (!staleImage || at < downAt + TIMEOUT - SLACK) {
                        assertTrue(repeat, when + " (expected the last frame, " + name + "-" + lastReal + ")");
                    } else if (at >= downAt + TIMEOUT + SLACK) {
                        assertTrue(staleFrame, when + " (expected the stale image)");
                    } else {
                        assertTrue(repeat || staleFrame, when);
                    }
                    stale += staleFrame ? 1 : 0;
                }
            }
            if (staleImage) {
                assertTrue(stale > 0, name + " never showed the stale image in cycle " + cycle);
            }
            StreamRecorder.Part recovered = parts.stream().filter(p -> number(p) > lastReal).findFirst().orElse(null);
            assertTrue(recovered != null, name + ": no new camera frame after cycle " + cycle);
            assertTrue(recovered.nanos() - upAgain <= RECOVERY, name + ": first new frame " + ms(recovered.nanos() - upAgain)
                    + " ms after the camera came back in cycle " + cycle);
            // Once real frames are back, the stale image is gone until the next down phase.
            long nextDown = upAgain + UP;
            assertTrue(parts.stream().noneMatch(p -> p.nanos() > recovered.nanos() && p.nanos() < nextDown && number(p) == -1),
                    name + " showed the stale image after recovering in cycle " + cycle);
        }
    }
}

package org.mjpegserver.fetch;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.SocketTimeoutException;
import java.net.URL;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongPredicate;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.function.Executable;
import org.mjpegserver.testing.Deployments;
import org.mjpegserver.testing.MjpegReader;
import org.mjpegserver.testing.StreamProfile;
import org.mjpegserver.testing.StreamingCamera;
import org.mjpegserver.testing.StreamingCamera.Fault;
import org.mjpegserver.testing.TestImages;

/**
 * Stream sources that fail or send what no camera should: a stalled connection is ended by the read timeout and
 * opened again; a lost one is opened again after a backoff that doubles up to the image timeout, never in a
 * tight loop; a lost stream goes stale under each {@code image_timeout_behavior} exactly as a snapshot source
 * does; a part larger than {@code max_image_bytes} is dropped while the stream goes on; and garbage, endless
 * headers, endless or 2 GB parts, a boundary that never comes, or a close after every byte each give a clear
 * {@code last_error}, a stale image and bounded memory, while a healthy stream beside them carries on.
 * The server runs in this JVM (embedded Tomcat), so its heap is this test's heap.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
final class HostileStreamIT {

    private static final Duration WAIT = Duration.ofSeconds(20);
    /** More parts than wait in socket buffers for a viewer that has not read for a while. */
    private static final int BUFFERED_PARTS = 300;
    /** Small, so that a hostile body is given up after a few hundred KB (four times this) and retried soon. */
    private static final int MAX_IMAGE_BYTES = 100_000;
    private static final int IMAGE_TIMEOUT_SECONDS = 3;
    /** What each hostile camera sends, and words its image's last_error must hold. */
    private static final Map<Fault, String> HOSTILE = new LinkedHashMap<>();
    private static final Map<Fault, StreamingCamera> HOSTILE_CAMERAS = new LinkedHashMap<>();
    private static final Map<String, StreamingCamera> BEHAVIOUR_CAMERAS = new LinkedHashMap<>();

    private static StreamingCamera healthy;
    private static StreamingCamera stalling;
    private static StreamingCamera closing;
    private static StreamingCamera oversized;
    private static int oversizedLimit;
    private static long heapBefore;
    private static long deployedNanos;

    @ArquillianResource
    private URL base;

    @Deployment(testable = false)
    static WebArchive deployment() {
        heapBefore = heapAfterGc();
        HOSTILE.put(Fault.GARBAGE, "no multipart delimiter within");
        HOSTILE.put(Fault.ENDLESS_HEADER_LINE, "part header line longer than");
        HOSTILE.put(Fault.ENDLESS_HEADERS, "header lines in a part");
        HOSTILE.put(Fault.ENDLESS_PART, "part did not end within");
        HOSTILE.put(Fault.HUGE_PART, "part of 2147483648 bytes is larger than max_image_bytes (" + MAX_IMAGE_BYTES + ")");
        HOSTILE.put(Fault.WRONG_BOUNDARY, "no multipart delimiter within");
        HOSTILE.put(Fault.CLOSE_AFTER_ONE_BYTE, "ended the stream before its first frame");
        StringBuilder yaml = new StringBuilder("""
                mjpeg-server:
                  stream_fps: 5
                  image_timeout_seconds: %d
                  read_timeout_seconds: 1
                  max_image_bytes: %d
                images:
                """.formatted(IMAGE_TIMEOUT_SECONDS, MAX_IMAGE_BYTES));
        HOSTILE.keySet().forEach(fault -> {
            // A profile without a delimiter before the first part: with WRONG_BOUNDARY, the declared one never comes.
            StreamingCamera camera = StreamingCamera.http(StreamProfile.axis()).fps(10).fault(fault);
            HOSTILE_CAMERAS.put(fault, camera);
            yaml.append("  ").append(id(fault)).append(": '").append(camera.url()).append("'\n");
        });
        healthy = StreamingCamera.http(StreamProfile.axis()).fps(10);
        // Three whole frames, half of the fourth, then silence on every connection.
        stalling = StreamingCamera.http(StreamProfile.go2rtc()).fps(10).frames(3).fault(Fault.STALL_MID_FRAME);
        closing = StreamingCamera.http(StreamProfile.esp32()).fps(10).fault(Fault.CLOSE_AFTER_ONE_BYTE);
        byte[] small = TestImages.jpeg(320, 240, "small");
        byte[] large = TestImages.jpeg(1920, 1080, "large");
        oversizedLimit = (small.length + large.length) / 2;
        oversized = StreamingCamera.http(StreamProfile.motion()).fps(10).images(List.of(small, large));
        yaml.append("  healthy:\n")
                .append("    url: '").append(healthy.url()).append("'\n")
                .append("    fetch_minimum_fps: 5\n")
                .append("  stalling: '").append(stalling.url()).append("'\n")
                .append("  closing:\n")
                .append("    url: '").append(closing.url()).append("'\n")
                .append("    image_timeout_seconds: 4\n")
                .append("  oversized:\n")
                .append("    url: '").append(oversized.url()).append("'\n")
                .append("    max_image_bytes: ").append(oversizedLimit).append('\n');
        for (String behaviour : List.of("stale_image", "disconnect", "last_frame")) {
            StreamingCamera camera = StreamingCamera.http(StreamProfile.mjpgStreamer()).fps(10);
            BEHAVIOUR_CAMERAS.put(behaviour, camera);
            yaml.append("  ").append(behaviour).append(":\n")
                    .append("    url: '").append(camera.url()).append("'\n")
                    .append("    image_timeout_behavior: ").append(behaviour).append('\n');
        }
        deployedNanos = System.nanoTime();
        return Deployments.war(yaml.toString());
    }

    @AfterAll
    static void stopCameras() {
        HOSTILE_CAMERAS.values().forEach(StreamingCamera::close);
        BEHAVIOUR_CAMERAS.values().forEach(StreamingCamera::close);
        List.of(healthy, stalling, closing, oversized).forEach(StreamingCamera::close);
    }

    private static String id(Fault fault) {
        return fault.name().toLowerCase(java.util.Locale.ROOT);
    }

    private ImagesApi api() {
        return new ImagesApi(base);
    }

    @Test
    void aStalledConnectionIsEndedByTheReadTimeoutAndOpenedAgain() {
        // Frames keep coming over connection after connection: the image stays alive across the stalls. (Awaited
        // together: the third connection is counted as it opens, its first frame a moment later.)
        JsonNode image = api().await("stalling", WAIT, "three connections and their frames",
                i -> stalling.connections() >= 3 && ImagesApi.fetchesOk(i) >= 3);
        assertEquals("stream", image.path("source").path("kind").asText(), image.toString());
        assertEquals(1, stalling.maxConcurrentConnections(), "a stalled connection must be closed before the next opens");
        JsonNode failed = api().await("stalling", WAIT, "the timeout reported",
                i -> "stream: read timed out".equals(ImagesApi.lastError(i)));
        assertNotEquals("stale", ImagesApi.state(failed), failed.toString());
    }

    @Test
    void aLostConnectionIsOpenedAgainAfterABackoffThatDoublesUpToTheImageTimeout() {
        // Connections at about 0, 1, 3, 7 and 11 s: the wait doubles from 1 s and stops at image_timeout_seconds (4).
        api().await("closing", WAIT, "five connections", i -> closing.connections() >= 5);
        List<Long> times = closing.connectionTimes();
        List<Double> gaps = new ArrayList<>();
        for (int i = 1; i < times.size(); i++) {
            gaps.add((times.get(i) - times.get(i - 1)) / 1e9);
        }
        String seenGaps = "gaps between connections (s): " + gaps;
        for (int i = 0; i < gaps.size(); i++) {
            double expected = Math.min(1 << i, 4);
            // Never sooner; later by at most a busy machine's delay.
            assertTrue(gaps.get(i) >= expected * 0.9 && gaps.get(i) <= expected + 2, seenGaps);
        }
        // ESP32 streams are chunked: the close cuts a chunk short.
        assertEquals("stream: connection closed: Premature end of chunk coded message body: closing chunk expected",
                ImagesApi.lastError(api().image("closing")));
    }

    @Test
    void aLostStreamGoesStaleUnderEachTimeoutBehaviourAndRecovers() throws IOException {
        Map<String, Long> last = new LinkedHashMap<>();
        Map<String, MjpegReader> viewers = new LinkedHashMap<>();
        try {
            for (String id : BEHAVIOUR_CAMERAS.keySet()) {
                api().await(id, WAIT, "fresh", i -> "fresh".equals(ImagesApi.state(i)));
                viewers.put(id, MjpegReader.open(api().streamUrl(id, 5)));
                assertTrue(StreamingCamera.frameNumber(viewers.get(id).next().jpeg()) > 0, id);
            }
            for (StreamingCamera camera : BEHAVIOUR_CAMERAS.values()) {
                camera.fault(Fault.UNAVAILABLE).dropAll();
            }
            for (String id : BEHAVIOUR_CAMERAS.keySet()) {
                api().await(id, WAIT, "stale", i -> "stale".equals(ImagesApi.state(i)));
            }
            for (String id : List.of("stale_image", "last_frame")) {
                last.put(id, StreamingCamera.frameNumber(api().awaitSnapshot(id, WAIT, "a frame", b -> true)));
            }
        } catch (AssertionError | IOException e) {
            closeAll(viewers);
            throw e;
        }

        // stale_image: the stale picture (not a camera frame) on open streams and snapshots.
        nextFrameWhere(viewers.get("stale_image"), n -> n < 0);
        assertEquals(-1, last.get("stale_image"));
        // disconnect: open streams end, a snapshot is refused.
        assertTrue(ends(viewers.get("disconnect")), "the disconnect viewer's stream did not end");
        assertEquals(503, api().snapshot("disconnect").statusCode());
        // last_frame: the camera's last frame, again and again.
        long kept = last.get("last_frame");
        assertTrue(kept > 0, "last_frame serves the camera's last frame, got #" + kept);
        MjpegReader keeping = viewers.get("last_frame");
        nextFrameWhere(keeping, n -> n == kept);
        for (MjpegReader.Part part : keeping.read(3)) {
            assertEquals(kept, StreamingCamera.frameNumber(part.jpeg()));
        }

        // The camera is back: the stream is opened again within the backoff cap, and live frames flow.
        BEHAVIOUR_CAMERAS.values().forEach(camera -> camera.fault(Fault.NONE));
        for (String id : BEHAVIOUR_CAMERAS.keySet()) {
            api().await(id, WAIT, "fresh again", i -> "fresh".equals(ImagesApi.state(i)) && i.path("source").path("connected").asBoolean());
        }
        nextFrameWhere(viewers.get("stale_image"), n -> n > 0);
        nextFrameWhere(keeping, n -> n > kept);
        closeAll(viewers);
    }

    @Test
    void aPartLargerThanMaxImageBytesIsDroppedAndTheStreamGoesOn() {
        JsonNode image = api().await("oversized", WAIT, "an oversized part refused",
                i -> ImagesApi.fetchesOk(i) >= 3 && i.path("source").path("frames_dropped").asLong() >= 3
                        && String.valueOf(ImagesApi.lastError(i)).contains("larger than max_image_bytes (" + oversizedLimit + ")"));
        assertEquals(1, oversized.connections(), "the stream goes on over its one connection: " + image);
        byte[] snapshot = api().awaitSnapshot("oversized", WAIT, "a camera frame", jpeg -> StreamingCamera.frameNumber(jpeg) > 0);
        assertTrue(snapshot.length <= oversizedLimit, "the served frame is a small one");
    }

    @Test
    void hostileStreamsGiveAClearErrorGoStaleAndHarmNothingElse() {
        List<Executable> checks = new ArrayList<>();
        for (Map.Entry<Fault, String> hostile : HOSTILE.entrySet()) {
            String id = id(hostile.getKey());
            StreamingCamera camera = HOSTILE_CAMERAS.get(hostile.getKey());
            checks.add(() -> {
                JsonNode image = api().await(id, WAIT, "stale with an error", i -> "stale".equals(ImagesApi.state(i))
                        && ImagesApi.lastError(i) != null && camera.connections() >= 3);
                String error = ImagesApi.lastError(image);
                assertTrue(error.contains(hostile.getValue()), id + ": last_error '" + error + "' should say '" + hostile.getValue() + "'");
                assertEquals(0, ImagesApi.fetchesOk(image), id + ": " + image);
                assertEquals(503, api().snapshot(id).statusCode(), id);
            });
        }
        assertAll(checks);
        // The backoff doubles from 1 s up to the image timeout (connections at 0, 1, 3, 6, 9... s): a tight
        // loop would have made hundreds by now.
        long seconds = (System.nanoTime() - deployedNanos) / 1_000_000_000L;
        HOSTILE_CAMERAS.forEach((fault, camera) -> assertTrue(camera.connections() <= 4 + seconds / IMAGE_TIMEOUT_SECONDS,
                fault + ": " + camera.connections() + " connections in " + seconds + " s"));

        // By now each hostile camera has sent up to 4 x max_image_bytes on every one of its connections, and the
        // 2 GB part announced its size: a reader that held what it was sent would show here.
        long heap = heapAfterGc();
        assertTrue(heap - heapBefore < 96L * 1024 * 1024, "heap grew from " + mb(heapBefore) + " to " + mb(heap));

        // The healthy stream beside them: fresh, on one connection, taking its 5 frames a second.
        JsonNode before = api().image("healthy");
        long started = System.nanoTime();
        JsonNode after = api().await("healthy", WAIT, "five more frames", i -> ImagesApi.fetchesOk(i) >= ImagesApi.fetchesOk(before) + 5);
        assertTrue(System.nanoTime() - started < Duration.ofSeconds(5).toNanos(), "five frames at 5 fps took too long: " + after);
        assertEquals("fresh", ImagesApi.state(after));
        assertNull(ImagesApi.lastError(after), after.toString());
        assertEquals(1, healthy.connections());
    }

    /**
     * The camera number of the viewer's next frame that {@code wanted} accepts (-1 for a frame not from the
     * camera), past the frames that waited in socket buffers while the test looked elsewhere.
     */
    private static long nextFrameWhere(MjpegReader viewer, LongPredicate wanted) throws IOException {
        for (int i = 0; i < BUFFERED_PARTS; i++) {
            MjpegReader.Part part = viewer.next();
            assertNotNull(part, "the stream ended");
            long number = StreamingCamera.frameNumber(part.jpeg());
            if (wanted.test(number)) {
                return number;
            }
        }
        throw new AssertionError("no such frame in " + BUFFERED_PARTS);
    }

    /** True when the server ends the stream (cleanly or by dropping it); false when it goes on or goes silent. */
    private static boolean ends(MjpegReader viewer) {
        try {
            for (int i = 0; i < BUFFERED_PARTS; i++) {
                if (viewer.next() == null) {
                    return true;
                }
            }
            return false;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    private static void closeAll(Map<String, MjpegReader> viewers) throws IOException {
        for (MjpegReader viewer : viewers.values()) {
            viewer.close();
        }
    }

    private static long heapAfterGc() {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        memory.gc();
        return memory.getHeapMemoryUsage().getUsed();
    }

    private static String mb(long bytes) {
        return bytes / (1024 * 1024) + " MB";
    }
}

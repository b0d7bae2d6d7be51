package org.mjpegserver.stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mjpegserver.stream.StreamChecks.await;
import static org.mjpegserver.stream.StreamChecks.awaitSnapshot;
import static org.mjpegserver.stream.StreamChecks.millis;
import static org.mjpegserver.stream.StreamChecks.tagNumber;
import static org.mjpegserver.stream.StreamChecks.tagged;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.net.URL;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
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
import org.mjpegserver.testing.MjpegReader;
import org.mjpegserver.testing.MjpegReader.Part;
import org.mjpegserver.testing.Route;
import org.mjpegserver.testing.Routes;
import org.mjpegserver.testing.TestImages;

/** The MJPEG wire format and the pacing of frames: first frames, stream rate, repeats, push on arrival. */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
final class StreamFormatIT {

    private static final byte[] BASE = TestImages.jpeg(320, 240, "format");
    // Enough tags that the sequence never wraps within the class, so a part's tag names exactly what was served.
    private static final List<byte[]> SEQ = tagged(BASE, "seq", 1000);
    private static final List<byte[]> ONCE = tagged(BASE, "once", 1000);
    private static final List<byte[]> LAZY = tagged(BASE, "lazy", 1000);
    private static final byte[] GATED_A = TestImages.withComment(BASE, "gated-0");
    private static final byte[] GATED_B = TestImages.withComment(BASE, "gated-1");
    private static final Gate GATE = new Gate(GATED_A);
    private static final FakeCamera CAMERA = camera();

    @ArquillianResource
    private URL base;

    private static FakeCamera camera() {
        return FakeCamera.http()
                .serve("/seq", Routes.sequence(SEQ))
                .serve("/once", Routes.sequence(ONCE))
                .serve("/lazy", Routes.sequence(LAZY))
                .serve("/gated", GATE);
    }

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.war("mjpeg-server:\n"
                + "  stream_fps: 5\n"
                + "images:\n"
                + "  seq:\n"
                + "    url: " + CAMERA.url("/seq") + "\n"
                + "  once:\n"
                + "    url: " + CAMERA.url("/once") + "\n"
                + "    stream_fps: 1\n"
                // A source slower than the stream: the stream repeats the latest frame in between.
                + "  lazy:\n"
                + "    url: " + CAMERA.url("/lazy") + "\n"
                + "    fetch_minimum_fps: 1\n"
                + "    fetch_maximum_fps: 1\n"
                // A slow stream over a fast fetch, to see whether a new frame waits for the stream's timer.
                + "  gated:\n"
                + "    url: " + CAMERA.url("/gated") + "\n"
                + "    stream_fps: 1\n"
                + "    fetch_minimum_fps: 10\n");
    }

    @AfterAll
    static void stopCamera() {
        GATE.open(GATED_A);
        CAMERA.close();
    }

    @Test
    void streamHasExactHeadersAndPartsThatAreTheCameraBytes() throws Exception {
        awaitSnapshot(base, "seq");
        try (MjpegReader reader = MjpegReader.open(base + "images/seq/stream")) {
            // open() already insisted on status 200; the reader fails on a body not starting with --frame.
            assertEquals(List.of("multipart/x-mixed-replace; boundary=frame"), reader.headers().get("Content-Type"));
            assertEquals(List.of("no-store, no-cache, must-revalidate, max-age=0"), reader.headers().get("Cache-Control"));
            assertEquals(List.of("no-cache"), reader.headers().get("Pragma"));
            assertEquals(List.of("no"), reader.headers().get("X-Accel-Buffering"));
            List<Part> parts = reader.read(8);
            int previous = -1;
            for (Part part : parts) {
                assertEquals("image/jpeg", part.headers().get("Content-Type"));
                assertEquals(String.valueOf(part.jpeg().length), part.headers().get("Content-Length"));
                int tag = tagNumber(part.jpeg());
                assertTrue(tag >= 0, "part is not a frame the camera served");
                assertArrayEquals(SEQ.get(tag), part.jpeg(), "part differs from what the camera served as seq-" + tag);
                assertTrue(tag >= previous, "frames went back in time: seq-" + tag + " after seq-" + previous);
                previous = tag;
            }
        }
    }

    @Test
    void firstFrameArrivesAtOnceAndTwice() throws Exception {
        awaitSnapshot(base, "once");
        long opened = System.nanoTime();
        try (MjpegReader reader = MjpegReader.open(base + "images/once/stream")) {
            Part first = reader.next();
            Part second = reader.next();
            assertNotNull(first);
            assertNotNull(second);
            // stream_fps is 1: waiting for the stream's timer would take a whole second.
            long latency = millis(second.receivedNanos() - opened);
            assertTrue(latency < 500, "first two parts took " + latency + " ms at stream_fps 1");
            // Sent twice, because a browser draws a part only once the next one begins.
            assertArrayEquals(first.jpeg(), second.jpeg());
            assertTrue(tagNumber(first.jpeg()) >= 0);
        }
    }

    @Test
    void framesComeAtStreamFps() throws Exception {
        awaitSnapshot(base, "seq");
        try (MjpegReader reader = MjpegReader.open(base + "images/seq/stream")) {
            reader.read(2);
            int frames = countFor(reader, Duration.ofSeconds(3));
            // 5 fps for 3 s: 15, with room for a busy machine.
            assertTrue(frames >= 10 && frames <= 20, frames + " frames in 3 s at stream_fps 5");
        }
    }

    @Test
    void latestFrameRepeatsWhenTheSourceIsSlower() throws Exception {
        awaitSnapshot(base, "lazy");
        try (MjpegReader reader = MjpegReader.open(base + "images/lazy/stream")) {
            reader.read(2);
            List<Part> parts = readFor(reader, Duration.ofSeconds(3));
            Set<Integer> distinct = new TreeSet<>();
            for (Part part : parts) {
                int tag = tagNumber(part.jpeg());
                assertArrayEquals(LAZY.get(tag), part.jpeg());
                distinct.add(tag);
            }
            assertTrue(parts.size() >= 10 && parts.size() <= 20, parts.size() + " frames in 3 s at stream_fps 5");
            // The camera is asked once a second, so most parts repeat a frame already sent.
            assertTrue(distinct.size() <= 5, "the 1 fps source gave " + distinct.size() + " distinct frames: " + distinct);
        }
    }

    @Test
    void frameRateParameterOverridesStreamFps() throws Exception {
        awaitSnapshot(base, "once");
        try (MjpegReader reader = MjpegReader.open(base + "images/once/stream?frame_rate=10")) {
            reader.read(2);
            int frames = countFor(reader, Duration.ofSeconds(3));
            // stream_fps is 1 (3 frames); frame_rate=10 asks for 30.
            assertTrue(frames >= 20 && frames <= 40, frames + " frames in 3 s with ?frame_rate=10");
        }
    }

    @Test
    void newCameraFrameIsPushedWithoutWaitingForTheStreamTimer() throws Exception {
        awaitSnapshot(base, "gated");
        try (MjpegReader reader = MjpegReader.open(base + "images/gated/stream")) {
            reader.read(2);
            // Hold the next fetch at the camera: no new frame arrives, so the stream only repeats on its timer.
            GATE.close(GATED_B);
            await(() -> GATE.waiting() > 0, Duration.ofSeconds(5), () -> "no fetch reached the held camera");
            long held = System.nanoTime();
            // A part well after the hold is a timer repeat, after which the next repeat is a full second away.
            Part repeat;
            do {
                repeat = reader.next();
                assertNotNull(repeat);
                assertArrayEquals(GATED_A, repeat.jpeg());
            } while (repeat.receivedNanos() - held < 1_500_000_000L);
            Thread.sleep(100);
            long released = System.nanoTime();
            GATE.open(GATED_B);
            Part next = reader.next();
            assertNotNull(next);
            assertArrayEquals(GATED_B, next.jpeg(), "the part after the release should be the new frame");
            long latency = millis(next.receivedNanos() - released);
            // One stream interval is 1000 ms; a timer-driven stream would show the frame ~900 ms after release.
            assertTrue(latency < 400, "the new frame took " + latency + " ms to reach a stream_fps 1 viewer");
        } finally {
            GATE.open(GATED_A);
        }
    }

    private static int countFor(MjpegReader reader, Duration window) throws IOException {
        return readFor(reader, window).size();
    }

    /** The parts received within {@code window} from now. */
    private static List<Part> readFor(MjpegReader reader, Duration window) throws IOException {
        long end = System.nanoTime() + window.toNanos();
        List<Part> parts = new ArrayList<>();
        while (true) {
            Part part = reader.next();
            assertNotNull(part, "stream ended");
            if (part.receivedNanos() > end) {
                return parts;
            }
            parts.add(part);
        }
    }

    /** A camera path whose answers can be held back, then released with a new image. */
    private static final class Gate implements Route {
        private volatile byte[] image;
        private volatile CountDownLatch latch;
        private final AtomicInteger waiting = new AtomicInteger();

        Gate(byte[] image) {
            this.image = image;
        }

        /** Holds every request from now on; {@code next} is served once opened. */
        void close(byte[] next) {
            latch = new CountDownLatch(1);
            image = next;
        }

        void open(byte[] served) {
            image = served;
            CountDownLatch held = latch;
            latch = null;
            if (held != null) {
                held.countDown();
            }
        }

        int waiting() {
            return waiting.get();
        }

        @Override
        public void handle(HttpExchange exchange) throws IOException {
            CountDownLatch held = latch;
            if (held != null) {
                waiting.incrementAndGet();
                try {
                    held.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("camera closing");
                } finally {
                    waiting.decrementAndGet();
                }
            }
            byte[] body = image;
            Routes.image(() -> body, "image/jpeg").handle(exchange);
        }
    }
}

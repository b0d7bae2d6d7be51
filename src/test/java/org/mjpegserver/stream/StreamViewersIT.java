package org.mjpegserver.stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mjpegserver.stream.StreamChecks.await;
import static org.mjpegserver.stream.StreamChecks.awaitSnapshot;
import static org.mjpegserver.stream.StreamChecks.awaitStreams;
import static org.mjpegserver.stream.StreamChecks.images;
import static org.mjpegserver.stream.StreamChecks.millis;
import static org.mjpegserver.stream.StreamChecks.streamCount;
import static org.mjpegserver.stream.StreamChecks.tagNumber;
import static org.mjpegserver.stream.StreamChecks.tagged;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
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

/** Many viewers, viewers that leave, and a viewer that stops reading: none of them may hurt the others. */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
final class StreamViewersIT {

    private static final int CROWD = 200;
    private static final byte[] SMALL = TestImages.jpeg(320, 240, "viewers");
    private static final List<byte[]> CROWD_FRAMES = tagged(SMALL, "crowd", 100);
    private static final List<byte[]> GONE_FRAMES = tagged(SMALL, "gone", 100);
    // About 190 KB a frame (padding in COM segments), so a viewer that does not read fills every buffer in seconds.
    private static final List<byte[]> BIG_FRAMES = tagged(padded(SMALL, 3), "big", 50);
    // About 1 MB a frame: what a stuck viewer may hold is then far apart from what Tomcat keeps per connection anyway.
    private static final List<byte[]> UNRULY_FRAMES = tagged(padded(SMALL, 16), "unruly", 20);
    private static final FakeCamera CAMERA = camera();

    @ArquillianResource
    private URL base;

    private static FakeCamera camera() {
        return FakeCamera.http()
                .serve("/crowd", Routes.sequence(CROWD_FRAMES))
                .serve("/gone", Routes.sequence(GONE_FRAMES))
                .serve("/big", Routes.sequence(BIG_FRAMES))
                .serve("/unruly", Routes.sequence(UNRULY_FRAMES));
    }

    private static byte[] padded(byte[] jpeg, int segments) {
        String filler = "x".repeat(63_000);
        for (int i = 0; i < segments; i++) {
            jpeg = TestImages.withComment(jpeg, filler);
        }
        return jpeg;
    }

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.war("mjpeg-server:\n"
                + "  stream_fps: 10\n"
                + "images:\n"
                + "  crowd:\n"
                + "    url: " + CAMERA.url("/crowd") + "\n"
                + "    stream_fps: 5\n"
                + "  gone:\n"
                + "    url: " + CAMERA.url("/gone") + "\n"
                + "  big:\n"
                + "    url: " + CAMERA.url("/big") + "\n"
                + "  unruly:\n"
                + "    url: " + CAMERA.url("/unruly") + "\n"
                + "    stream_fps: 4\n");
    }

    @AfterAll
    static void stopCamera() {
        CAMERA.close();
    }

    @Test
    void viewerThatLeavesIsRemovedWithinSeconds() throws Exception {
        awaitSnapshot(base, "gone");
        List<MjpegReader> readers = new ArrayList<>();
        try (LogCapture log = LogCapture.of("").minimum(Level.SEVERE)) {
            for (int i = 0; i < 3; i++) {
                MjpegReader reader = MjpegReader.open(base + "images/gone/stream");
                reader.read(2);
                readers.add(reader);
            }
            awaitStreams(base, "gone", 3, Duration.ofSeconds(5));
            readers.remove(0).close();
            awaitStreams(base, "gone", 2, Duration.ofSeconds(5));
            // The others are unaffected.
            for (MjpegReader reader : readers) {
                reader.read(2);
            }
            assertEquals(List.of(), log.texts());
        } finally {
            for (MjpegReader reader : readers) {
                reader.close();
            }
        }
        awaitStreams(base, "gone", 0, Duration.ofSeconds(5));
    }

    @Test
    void viewerThatStopsReadingDoesNotSlowAnotherAndIsRemovedOnClose() throws Exception {
        awaitSnapshot(base, "big");
        ExecutorService background = Executors.newSingleThreadExecutor();
        Socket stuck = new Socket();
        try {
            // A small receive window, and never a read: the server's writes to it must block.
            stuck.setReceiveBufferSize(4096);
            stuck.connect(new InetSocketAddress(base.getHost(), base.getPort()), 5000);
            OutputStream out = stuck.getOutputStream();
            out.write(("GET " + base.getPath() + "images/big/stream?frame_rate=30 HTTP/1.1\r\n"
                    + "Host: " + base.getHost() + ":" + base.getPort() + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            await(() -> streamCount(base, "big") == 1, Duration.ofSeconds(5), () -> "the stuck viewer's stream never opened");

            // The normal viewer reads all the time on its own thread, checking every part.
            Queue<Long> arrivals = new ConcurrentLinkedQueue<>();
            MjpegReader normal = MjpegReader.open(base + "images/big/stream");
            Future<?> reading = readChecked(background, normal, BIG_FRAMES, arrivals);
            awaitStreams(base, "big", 2, Duration.ofSeconds(5));

            // Once the stuck stream's frame count stops moving, its connection is full and its writes wait.
            await(() -> stuckStreamStalled(), Duration.ofSeconds(20), () -> "the stuck viewer's stream never blocked");
            long from = System.nanoTime();
            Thread.sleep(4000);
            long to = System.nanoTime();
            List<Long> window = arrivals.stream().filter(t -> t >= from && t < to).toList();
            assertTrue(!reading.isDone(), "the normal viewer's stream ended");
            // stream_fps 10 for 4 s: 40 parts, with room for a busy machine.
            assertTrue(window.size() >= 28, "the normal viewer got " + window.size() + " parts in 4 s beside a stuck one");
            long gap = 0;
            for (int i = 1; i < window.size(); i++) {
                gap = Math.max(gap, window.get(i) - window.get(i - 1));
            }
            assertTrue(millis(gap) < 1000, "the normal viewer waited " + millis(gap) + " ms for a part");

            try (LogCapture log = LogCapture.of("").minimum(Level.SEVERE)) {
                stuck.close();
                awaitStreams(base, "big", 1, Duration.ofSeconds(10));
                normal.close();
                reading.cancel(true);
                awaitStreams(base, "big", 0, Duration.ofSeconds(10));
                // Leaving is what viewers do: no error may be logged for it.
                assertEquals(List.of(), log.texts());
            }
        } finally {
            stuck.close();
            background.shutdownNow();
        }
    }

    /**
     * With the stock connector of these tests (8 KB socket write buffer): viewers that never read, read a byte a
     * second, or vanish in the middle of a frame hold no more than a frame of heap each, and the viewers that read
     * keep their frame rate.
     */
    @Test
    void stallingTricklingAndVanishingViewersHoldAtMostAFrameEachAndDoNotSlowTheOthers() throws Exception {
        awaitSnapshot(base, "unruly");
        int frameBytes = UNRULY_FRAMES.get(0).length;
        ExecutorService background = Executors.newCachedThreadPool();
        List<Socket> stuck = new ArrayList<>();
        List<Queue<Long>> arrivals = List.of(new ConcurrentLinkedQueue<>(), new ConcurrentLinkedQueue<>());
        List<MjpegReader> readers = new ArrayList<>();
        try (LogCapture log = LogCapture.of("").minimum(Level.SEVERE)) {
            List<Future<?>> reading = new ArrayList<>();
            for (Queue<Long> received : arrivals) {
                MjpegReader reader = MjpegReader.open(base + "images/unruly/stream");
                readers.add(reader);
                reading.add(readChecked(background, reader, UNRULY_FRAMES, received));
            }
            awaitStreams(base, "unruly", 2, Duration.ofSeconds(5));
            long heapBefore = liveHeap();

            for (int i = 0; i < 30; i++) {
                stuck.add(openStream("unruly"));
            }
            List<Socket> trickling = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                trickling.add(openStream("unruly"));
            }
            stuck.addAll(trickling);
            background.submit(() -> {
                while (!Thread.currentThread().isInterrupted()) {
                    for (Socket socket : trickling) {
                        socket.getInputStream().read();
                    }
                    Thread.sleep(1000);
                }
                return null;
            });
            awaitStreams(base, "unruly", 2 + stuck.size(), Duration.ofSeconds(10));
            // Time for the stuck ones to fill every buffer between them and the server.
            Thread.sleep(3000);
            long from = System.nanoTime();
            Thread.sleep(4000);
            long to = System.nanoTime();
            for (Queue<Long> received : arrivals) {
                List<Long> window = received.stream().filter(t -> t >= from && t < to).sorted().toList();
                // stream_fps 4 for 4 s: 16 parts, with room for a busy machine.
                assertTrue(window.size() >= 11, "a reading viewer got " + window.size() + " parts in 4 s beside 60 stuck ones");
                long gap = 0;
                for (int i = 1; i < window.size(); i++) {
                    gap = Math.max(gap, window.get(i) - window.get(i - 1));
                }
                assertTrue(millis(gap) < 1000, "a reading viewer waited " + millis(gap) + " ms for a part");
            }
            for (Future<?> reader : reading) {
                assertTrue(!reader.isDone(), "a reading viewer's stream ended");
            }
            long perStuckViewer = (liveHeap() - heapBefore) / stuck.size();
            // Tomcat's own state of a connection is all of it (about 190 KB with these 1 MB frames, as with 190 KB ones);
            // when a stream handed Tomcat whole frames, each stuck viewer held more than a frame (1.2 MB).
            assertTrue(perStuckViewer <= frameBytes / 3, "each stuck viewer holds " + perStuckViewer / 1024
                    + " KB of heap, more than a third of a frame (" + frameBytes / 1024 + " KB)");

            for (int i = 0; i < 20; i++) {
                Socket vanishing = openStream("unruly");
                // Into the second part (the first goes out twice), then a reset instead of a goodbye.
                vanishing.getInputStream().readNBytes(frameBytes + frameBytes / 2);
                vanishing.setSoLinger(true, 0);
                vanishing.close();
            }
            awaitStreams(base, "unruly", 2 + stuck.size(), Duration.ofSeconds(10));
            for (Queue<Long> received : arrivals) {
                long since = System.nanoTime();
                await(() -> received.stream().filter(t -> t > since).count() >= 5, Duration.ofSeconds(5),
                        () -> "a reading viewer stopped getting parts after the vanishing ones");
            }

            for (Socket socket : stuck) {
                socket.close();
            }
            for (MjpegReader reader : readers) {
                reader.close();
            }
            awaitStreams(base, "unruly", 0, Duration.ofSeconds(10));
            assertEquals(List.of(), log.texts());
        } finally {
            background.shutdownNow();
            for (Socket socket : stuck) {
                socket.close();
            }
            for (MjpegReader reader : readers) {
                reader.close();
            }
        }
    }

    /** Reads the stream on a thread of {@code pool} until it ends, checking every part, noting when each arrived. */
    private static Future<?> readChecked(ExecutorService pool, MjpegReader reader, List<byte[]> frames, Queue<Long> arrivals) {
        return pool.submit(() -> {
            try (reader) {
                Part part;
                while ((part = reader.next()) != null) {
                    assertArrayEquals(frames.get(tagNumber(part.jpeg())), part.jpeg());
                    arrivals.add(part.receivedNanos());
                }
            }
            return null;
        });
    }

    /** A stream request on a raw socket with a small receive window, so a viewer that does not read blocks soon. */
    private Socket openStream(String id) throws IOException {
        Socket socket = new Socket();
        socket.setReceiveBufferSize(4096);
        socket.connect(new InetSocketAddress(base.getHost(), base.getPort()), 5000);
        socket.getOutputStream().write(("GET " + base.getPath() + "images/" + id + "/stream HTTP/1.1\r\n"
                + "Host: " + base.getHost() + ":" + base.getPort() + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().flush();
        return socket;
    }

    /** Heap in use after full collections: the embedded Tomcat of these tests runs in this JVM. */
    private static long liveHeap() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    /** True when the stream asking 30 fps sent no frame over the last second. */
    private boolean stuckStreamStalled() {
        long before = stuckFramesSent();
        try {
            Thread.sleep(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        return before >= 0 && stuckFramesSent() == before;
    }

    private long stuckFramesSent() {
        for (JsonNode stream : images(base).path("big").path("streams")) {
            if (stream.path("requested_fps").asDouble() == 30) {
                return stream.path("frames_sent").asLong();
            }
        }
        return -1;
    }

    @Test
    void twoHundredViewersAllGetFramesAndAreAllRemovedWhenTheyLeave() throws Exception {
        awaitSnapshot(base, "crowd");
        ExecutorService pool = Executors.newFixedThreadPool(CROWD);
        CountDownLatch ready = new CountDownLatch(CROWD);
        CountDownLatch release = new CountDownLatch(1);
        Queue<Throwable> failures = new ConcurrentLinkedQueue<>();
        List<Future<?>> viewers = new ArrayList<>();
        LogCapture log = LogCapture.of("").minimum(Level.SEVERE);
        try {
            for (int i = 0; i < CROWD; i++) {
                viewers.add(pool.submit(() -> {
                    try (MjpegReader reader = MjpegReader.open(base + "images/crowd/stream")) {
                        for (Part part : reader.read(5)) {
                            int tag = tagNumber(part.jpeg());
                            assertTrue(tag >= 0, "not a camera frame");
                            assertArrayEquals(CROWD_FRAMES.get(tag), part.jpeg());
                        }
                        ready.countDown();
                        // Stay connected until all are counted.
                        release.await();
                    } catch (Throwable e) {
                        failures.add(e);
                        ready.countDown();
                    }
                    return null;
                }));
            }
            assertTrue(ready.await(60, TimeUnit.SECONDS), "not every viewer got 5 frames within 60 s");
            assertTrue(failures.isEmpty(), failures.size() + " viewers failed, first: " + failures.peek());
            assertEquals(CROWD, streamCount(base, "crowd"));
        } finally {
            release.countDown();
            pool.shutdown();
            assertTrue(pool.awaitTermination(30, TimeUnit.SECONDS), "viewers did not close");
        }
        for (Future<?> viewer : viewers) {
            viewer.get();
        }
        awaitStreams(base, "crowd", 0, Duration.ofSeconds(10));
        log.close();
        assertEquals(List.of(), log.texts());
        // Still healthy and serving.
        assertEquals(200, Http.getText(base + "health").statusCode());
        try (MjpegReader reader = MjpegReader.open(base + "images/crowd/stream")) {
            reader.read(3);
        }
    }
}

package org.mjpegserver.fetch;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URL;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
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

/**
 * Cameras that stream: an image whose URL answers with an MJPEG stream is relayed over one upstream connection,
 * whatever the device's dialect, however many viewers and snapshot requests come (at once, too), at the rate its
 * viewers want; with {@code fetch_minimum_fps: 0} the connection opens with the first viewer or snapshot and
 * closes a moment after the last; and an image may relay this server's own stream of another image. Frames carry
 * their number at the camera, so a viewer can tell new frames from repeats.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
final class StreamSourceIT {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final Map<String, StreamingCamera> DEVICES = new LinkedHashMap<>();
    private static StreamingCamera oneClient;
    private static StreamingCamera fast;
    private static StreamingCamera onDemand;

    @ArquillianResource
    private URL base;

    @Deployment(testable = false)
    static WebArchive deployment() {
        StringBuilder images = new StringBuilder();
        int n = 0;
        for (StreamProfile profile : StreamProfile.all()) {
            StreamingCamera camera = StreamingCamera.http(profile).fps(10);
            String id = "device" + n++;
            DEVICES.put(id, camera);
            images.append("  ").append(id).append(": '").append(camera.url()).append("'\n");
        }
        oneClient = StreamingCamera.http(StreamProfile.mjpgStreamer()).fps(10).clientLimit(StreamingCamera.ClientLimit.REFUSE);
        fast = StreamingCamera.http(StreamProfile.motion()).fps(30);
        onDemand = StreamingCamera.http(StreamProfile.esp32()).fps(10);
        String self = "http://127.0.0.1:" + System.getProperty("arq.container.tomcat.configuration.bindHttpPort", "18089");
        return Deployments.war(""
                + "mjpeg-server:\n"
                + "  stream_fps: 5\n"
                + "images:\n"
                + images
                + "  shared: '" + oneClient.url() + "'\n"
                + "  fast:\n"
                + "    url: '" + fast.url() + "'\n"
                + "    fetch_minimum_fps: 1\n"
                + "  lazy:\n"
                + "    url: '" + onDemand.url() + "'\n"
                + "    fetch_minimum_fps: 0\n"
                + "    close_after_last_viewer_seconds: 1\n"
                + "  relayed: '" + self + "/images/shared/stream?frame_rate=10'\n");
    }

    @AfterAll
    static void stopCameras() {
        DEVICES.values().forEach(StreamingCamera::close);
        oneClient.close();
        fast.close();
        onDemand.close();
    }

    private ImagesApi api() {
        return new ImagesApi(base);
    }

    @Test
    void everyDeviceDialectIsRelayedFrameByFrame() {
        List<Executable> checks = new ArrayList<>();
        for (Map.Entry<String, StreamingCamera> device : DEVICES.entrySet()) {
            String id = device.getKey();
            String name = device.getValue().toString();
            checks.add(() -> {
                JsonNode image = api().await(id, WAIT, "a connected stream with frames", i -> i.path("source").path("connected").asBoolean()
                        && i.path("source").path("frames_received").asLong() >= 3 && ImagesApi.fetchesOk(i) >= 3);
                assertEquals("stream", image.path("source").path("kind").asText(), name + ": " + image);
                try (MjpegReader viewer = MjpegReader.open(api().streamUrl(id, 10))) {
                    long first = StreamingCamera.frameNumber(viewer.next().jpeg());
                    long later = first;
                    for (int i = 0; i < 30 && later <= first; i++) {
                        later = StreamingCamera.frameNumber(viewer.next().jpeg());
                    }
                    assertTrue(later > first, name + ": the viewer saw no new camera frame after #" + first);
                }
                assertEquals(1, device.getValue().connections(), name + ": connections to the camera");
            });
        }
        assertAll(checks);
    }

    @Test
    void viewersAndSnapshotsArrivingAtOnceShareTheOneConnectionTheCameraAllows() throws Exception {
        api().await("shared", WAIT, "connected", i -> i.path("source").path("connected").asBoolean());
        int viewers = 20;
        ExecutorService threads = Executors.newFixedThreadPool(viewers * 2);
        CountDownLatch go = new CountDownLatch(1);
        try {
            List<CompletableFuture<Long>> results = new ArrayList<>();
            for (int i = 0; i < viewers; i++) {
                results.add(CompletableFuture.supplyAsync(() -> {
                    await(go);
                    try (MjpegReader viewer = MjpegReader.open(api().streamUrl("shared", 10))) {
                        long first = StreamingCamera.frameNumber(viewer.next().jpeg());
                        long last = first;
                        for (int f = 0; f < 40 && last <= first; f++) {
                            last = StreamingCamera.frameNumber(viewer.next().jpeg());
                        }
                        return last - first;
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }, threads));
                results.add(CompletableFuture.supplyAsync(() -> {
                    await(go);
                    HttpResponse<byte[]> snapshot = api().snapshot("shared");
                    return snapshot.statusCode() == 200 && StreamingCamera.frameNumber(snapshot.body()) > 0 ? 1L : 0L;
                }, threads));
            }
            go.countDown();
            for (CompletableFuture<Long> result : results) {
                assertTrue(result.get(60, TimeUnit.SECONDS) > 0, "a viewer saw no new frame, or a snapshot failed");
            }
        } finally {
            threads.shutdownNow();
        }
        // One connection from this image, and the one of the image that relays this server's stream of it.
        assertEquals(1, oneClient.connections(), "connections the one-client camera saw");
        assertEquals(1, oneClient.maxConcurrentConnections());
    }

    @Test
    void surplusFramesAreReadAndDroppedAtTheRateTheViewersWant() {
        JsonNode before = api().await("fast", WAIT, "connected", i -> i.path("source").path("connected").asBoolean());
        long start = System.nanoTime();
        try (MjpegReader viewer = MjpegReader.open(api().streamUrl("fast", 5))) {
            viewer.read(20);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        JsonNode after = api().image("fast");
        double seconds = (System.nanoTime() - start) / 1e9;
        long received = after.path("source").path("frames_received").asLong() - before.path("source").path("frames_received").asLong();
        long dropped = after.path("source").path("frames_dropped").asLong() - before.path("source").path("frames_dropped").asLong();
        long taken = ImagesApi.fetchesOk(after) - ImagesApi.fetchesOk(before);
        // The camera sends 30 a second; the one viewer wants 5. Wide bounds for a busy machine.
        assertTrue(received > 15 * seconds, "received " + received + " in " + seconds + " s");
        assertTrue(taken <= 8 * seconds + 2 && taken >= 2.5 * seconds, "taken " + taken + " in " + seconds + " s");
        assertTrue(dropped >= received - taken - 2, "dropped " + dropped + " of " + received + ", taken " + taken);
        assertEquals(1, fast.connections());
    }

    @Test
    void onDemandStreamOpensForAViewerOrASnapshotAndClosesAfterTheLast() {
        // Asked once at start (its answer says what it is), then closed: nobody watches.
        api().await("lazy", WAIT, "resting", i -> "idle".equals(ImagesApi.state(i)) && !i.path("source").path("connected").asBoolean());
        assertEquals("stream", api().image("lazy").path("source").path("kind").asText());
        awaitCamera(onDemand, 0);
        int connections = onDemand.connections();

        try (MjpegReader viewer = MjpegReader.open(api().streamUrl("lazy", 5))) {
            long first = StreamingCamera.frameNumber(viewer.next().jpeg());
            long later = first;
            for (int i = 0; i < 30 && later <= first; i++) {
                later = StreamingCamera.frameNumber(viewer.next().jpeg());
            }
            assertTrue(later > first, "no live frame after the viewer woke the stream");
            assertEquals(1, onDemand.concurrentConnections());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        awaitCamera(onDemand, 0);
        assertEquals(connections + 1, onDemand.connections());

        HttpResponse<byte[]> snapshot = api().snapshot("lazy");
        assertEquals(200, snapshot.statusCode());
        assertTrue(StreamingCamera.frameNumber(snapshot.body()) > 0);
        awaitCamera(onDemand, 0);
        assertEquals(connections + 2, onDemand.connections());
        api().await("lazy", WAIT, "resting again", i -> "idle".equals(ImagesApi.state(i)));
    }

    @Test
    void anImageMayRelayThisServersOwnStreamOfAnother() {
        JsonNode relayed = api().await("relayed", WAIT, "frames", i -> ImagesApi.fetchesOk(i) >= 3);
        assertEquals("stream", relayed.path("source").path("kind").asText(), relayed.toString());
        byte[] snapshot = api().awaitSnapshot("relayed", WAIT, "a camera frame", jpeg -> StreamingCamera.frameNumber(jpeg) > 0);
        assertTrue(StreamingCamera.frameNumber(snapshot) > 0);
        JsonNode shared = api().image("shared");
        assertTrue(shared.path("streams").size() >= 1, "the relaying image is a viewer of 'shared': " + shared);
    }

    private static void awaitCamera(StreamingCamera camera, int concurrent) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (camera.concurrentConnections() != concurrent) {
            assertTrue(System.nanoTime() < deadline, "the camera still has " + camera.concurrentConnections() + " connections");
            ImagesApi.pause(50);
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

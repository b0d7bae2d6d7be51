package org.mjpegserver.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mjpegserver.testing.TestImages.quadrantAt;

import com.fasterxml.jackson.databind.JsonNode;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URL;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
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
import org.mjpegserver.testing.Routes;
import org.mjpegserver.testing.ServerApi;
import org.mjpegserver.testing.StreamProfile;
import org.mjpegserver.testing.StreamingCamera;
import org.mjpegserver.testing.TestImages;

/**
 * Shaping end to end: a snapshot camera and a streaming camera whose 1280x720 frames come out of the deployed
 * server cropped, turned, scaled and stamped, on streams and snapshots alike; stale images shaped the same
 * way; a crop that misses the picture is a failed frame with its reason, not a server error.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
final class ShapingIT {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final int TOP_LEFT = 0;
    private static final int TOP_RIGHT = 1;
    private static final int BOTTOM_LEFT = 2;
    private static final int BOTTOM_RIGHT = 3;

    private static FakeCamera camera;
    private static StreamingCamera streaming;

    @ArquillianResource
    private URL base;

    @Deployment(testable = false)
    static WebArchive deployment() {
        byte[] frame = TestImages.quadrantsJpeg(1280, 720);
        camera = FakeCamera.http();
        camera.serve("/quadrants.jpg", Routes.jpeg(frame)).serve("/broken", Routes.status(500));
        streaming = StreamingCamera.http(StreamProfile.mjpgStreamer()).fps(10).images(List.of(frame));
        WebArchive war = Deployments.war(""
                + "mjpeg-server:\n"
                + "  fetch_minimum_fps: 4\n"
                + "  max_width: 320\n"
                + "images:\n"
                + "  snapshot_cam:\n"
                + "    url: '" + camera.url("/quadrants.jpg") + "'\n"
                + "    crop: {x: 0, y: 0, width: 50%, height: 100%}\n"
                + "    rotate: 90\n"
                + "    timestamp_overlay: {position: bottom-right, time_zone: UTC}\n"
                + "  stream_cam:\n"
                + "    url: '" + streaming.url() + "'\n"
                + "    rotate: 180\n"
                + "  bad_crop:\n"
                + "    url: '" + camera.url("/quadrants.jpg") + "'\n"
                + "    crop: {x: 5000, y: 0, width: 10, height: 10}\n"
                + "  stale_file:\n"
                + "    url: '" + camera.url("/broken") + "'\n"
                + "    image_timeout_seconds: 1\n"
                + "    image_timeout_behavior: stale_image\n"
                + "    stale_image_path: stale.jpg\n"
                + "    rotate: 270\n"
                + "    max_width: 200\n"
                + "  stale_builtin:\n"
                + "    url: '" + camera.url("/broken") + "'\n"
                + "    image_timeout_seconds: 1\n"
                + "    image_timeout_behavior: stale_image\n"
                + "    rotate: 270\n"
                + "    max_width: 200\n");
        Path folder = Path.of(System.getProperty("mjpeg.server.config")).getParent();
        try {
            Files.write(folder.resolve("stale.jpg"), TestImages.quadrantsJpeg(400, 300));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return war;
    }

    @AfterAll
    static void cleanUp() {
        camera.close();
        streaming.close();
    }

    private ServerApi api() {
        return new ServerApi(base);
    }

    @Test
    void snapshotsAreCroppedTurnedScaledAndStamped() throws IOException {
        api().awaitImage("snapshot_cam", image -> image.get("fetches_ok").asLong() >= 1, WAIT, "has a frame");
        HttpResponse<byte[]> snapshot = api().get("images/snapshot_cam");
        assertEquals(200, snapshot.statusCode());
        assertSnapshotCamFrame(decode(snapshot.body()));
    }

    @Test
    void streamFramesAreShapedLikeSnapshots() throws IOException {
        try (MjpegReader viewer = MjpegReader.open(api().url("images/snapshot_cam/stream?frame_rate=5"))) {
            for (MjpegReader.Part part : viewer.read(3)) {
                assertSnapshotCamFrame(decode(part.jpeg()));
            }
        }
    }

    /**
     * The left half of the 1280x720 quadrants (red over blue), turned clockwise: blue on the left, red on the right,
     * 720x640 scaled to the server-wide max_width of 320; the time stamped in the bottom-right corner.
     */
    private static void assertSnapshotCamFrame(BufferedImage frame) {
        assertEquals(320, frame.getWidth());
        assertEquals(284, frame.getHeight());
        assertEquals(BOTTOM_LEFT, quadrantAt(frame, 5, 5), "blue comes to the top left");
        assertEquals(TOP_LEFT, quadrantAt(frame, 314, 5), "red to the top right");
        assertEquals(BOTTOM_LEFT, quadrantAt(frame, 5, 278));
        int stamped = frame.getRGB(316, 281);
        assertTrue(((stamped >> 16) & 0xff) < 120, "the overlay's dark box darkens the red corner: " + Integer.toHexString(stamped));
        assertEquals(TOP_LEFT, quadrantAt(frame, 314, 200), "red above the stamp");
    }

    @Test
    void aStreamingCamerasFramesAreShapedOnTheWayThrough() throws IOException {
        try (MjpegReader viewer = MjpegReader.open(api().url("images/stream_cam/stream?frame_rate=5"))) {
            for (MjpegReader.Part part : viewer.read(3)) {
                BufferedImage frame = decode(part.jpeg());
                assertEquals(320, frame.getWidth());
                assertEquals(180, frame.getHeight());
                assertEquals(BOTTOM_RIGHT, quadrantAt(frame, 3, 3), "turned upside down");
                assertEquals(TOP_LEFT, quadrantAt(frame, 316, 176));
            }
        }
        BufferedImage snapshot = decode(api().get("images/stream_cam").body());
        assertEquals(320, snapshot.getWidth());
        assertEquals(BOTTOM_RIGHT, quadrantAt(snapshot, 3, 3));
    }

    @Test
    void staleImagesAreShapedOnceLikeFramesTheBuiltInOneOnlyScaled() throws IOException {
        api().awaitImage("stale_file", image -> "stale".equals(image.get("state").asText()), WAIT, "goes stale");
        // stale.jpg, 400x300 quadrants, turned 270 (counter-clockwise): green comes to the top left; 300x400 -> 200x267.
        try (MjpegReader viewer = MjpegReader.open(api().url("images/stale_file/stream?frame_rate=5"))) {
            BufferedImage stale = decode(viewer.next().jpeg());
            assertEquals(200, stale.getWidth());
            assertEquals(267, stale.getHeight());
            assertEquals(TOP_RIGHT, quadrantAt(stale, 3, 3));
            assertEquals(BOTTOM_RIGHT, quadrantAt(stale, 196, 3));
            assertEquals(TOP_LEFT, quadrantAt(stale, 3, 263), "red comes to the bottom left");
        }
        api().awaitImage("stale_builtin", image -> "stale".equals(image.get("state").asText()), WAIT, "goes stale");
        BufferedImage placeholder = decode(api().get("images/stale_builtin").body());
        // The 640x360 placeholder keeps its text upright: scaled to 200 wide, not turned.
        assertEquals(200, placeholder.getWidth());
        assertEquals(113, placeholder.getHeight());
    }

    @Test
    void aCropOutsideThePictureFailsEachFrameWithItsReason() {
        JsonNode image = api().awaitImage("bad_crop", i -> i.get("fetches_failed").asLong() >= 1, WAIT, "a failed frame");
        assertEquals("crop at x 5000, y 0 starts outside the 1280x720 picture", image.get("last_error").asText());
        assertEquals(0, image.get("fetches_ok").asLong());
        HttpResponse<String> snapshot = api().getText("images/bad_crop");
        assertEquals(503, snapshot.statusCode(), "no frame, and no server error: " + snapshot.body());
        assertEquals(200, api().get("images/snapshot_cam").statusCode(), "the other images go on");
    }

    @Test
    void imagesShowsTheShapingAndMetricsCountIt() {
        JsonNode config = api().image("snapshot_cam").get("config");
        assertEquals(90, config.get("rotate").asInt());
        assertEquals("50%", config.get("crop").get("width").asText());
        assertEquals(320, config.get("max_width").asInt());
        assertEquals(85, config.get("jpeg_quality").asInt());
        assertEquals("bottom-right", config.get("timestamp_overlay").get("position").asText());
        assertEquals("UTC", config.get("timestamp_overlay").get("time_zone").asText());

        api().awaitImage("snapshot_cam", image -> image.get("fetches_ok").asLong() >= 2, WAIT, "two frames");
        String metrics = api().getText("metrics").body();
        assertTrue(counter(metrics, "mjpeg_frames_shaped_total", "snapshot_cam") >= 2, metrics);
        assertTrue(counter(metrics, "mjpeg_shaping_seconds_total", "snapshot_cam") > 0, metrics);
    }

    private static double counter(String metrics, String name, String image) {
        Matcher m = Pattern.compile("(?m)^" + name + "\\{image=\"" + image + "\"} (\\S+)$").matcher(metrics);
        return m.find() ? Double.parseDouble(m.group(1)) : -1;
    }

    private static BufferedImage decode(byte[] jpeg) throws IOException {
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(jpeg));
        assertTrue(image != null, "not a picture");
        return image;
    }
}

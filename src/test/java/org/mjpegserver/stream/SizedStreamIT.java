package org.mjpegserver.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URL;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.mjpegserver.image.JpegDimensions;
import org.mjpegserver.testing.Await;
import org.mjpegserver.testing.Deployments;
import org.mjpegserver.testing.MjpegReader;
import org.mjpegserver.testing.ServerApi;

/**
 * {@code GET /images/{id}/stream?width=}: every part at the size asked for, one scale per new frame however many
 * watch that size, shown in {@code /images} while watched and dropped once nobody is left.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
final class SizedStreamIT {

    private static final String SCALED = "mjpeg_frames_scaled_total{image=\"cam\"}";
    private static final String FETCHED = "mjpeg_fetches_total{image=\"cam\",result=\"ok\"}";

    @ArquillianResource
    private URL base;

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.war(String.join("\n",
                "images:",
                "  cam:",
                "    url: 'testpattern:640x360'",
                "    stream_fps: 10",
                "  other:",
                "    url: 'testpattern:640x360'",
                "    stream_fps: 10",
                ""));
    }

    @Test
    void partsAreTheSizeAskedForBesideAFullSizeStream() throws IOException {
        try (MjpegReader small = MjpegReader.open(base + "images/other/stream?width=320&frame_rate=5");
                MjpegReader full = MjpegReader.open(base + "images/other/stream")) {
            for (MjpegReader.Part part : small.read(4)) {
                assertEquals(new JpegDimensions(320, 180), JpegDimensions.of(part.jpeg()));
                assertEquals(String.valueOf(part.jpeg().length), part.headers().get("Content-Length"));
            }
            for (MjpegReader.Part part : full.read(4)) {
                assertEquals(new JpegDimensions(640, 360), JpegDimensions.of(part.jpeg()));
            }
            try (MjpegReader byHeight = MjpegReader.open(base + "images/other/stream?height=90")) {
                assertEquals(new JpegDimensions(160, 90), JpegDimensions.of(byHeight.next().jpeg()));
            }
        }
    }

    @Test
    void aHundredViewersOfOneSizeCostOneScalePerFrame() throws IOException {
        ServerApi api = new ServerApi(base);
        List<MjpegReader> viewers = new ArrayList<>();
        try {
            for (int i = 0; i < 100; i++) {
                viewers.add(MjpegReader.open(base + "images/cam/stream?width=320"));
            }
            for (MjpegReader viewer : viewers) {
                viewer.next();
            }
            double scaledBefore = api.metric(SCALED);
            double fetchedBefore = api.metric(FETCHED);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (api.metric(FETCHED) - fetchedBefore < 5 && System.nanoTime() < deadline) {
                for (MjpegReader viewer : viewers) {
                    assertEquals(new JpegDimensions(320, 180), JpegDimensions.of(viewer.next().jpeg()));
                }
            }
            double scaled = api.metric(SCALED) - scaledBefore;
            double fetched = api.metric(FETCHED) - fetchedBefore;
            assertTrue(fetched >= 5, "the source made " + fetched + " frames meanwhile");
            // A frame is counted as fetched just before it is scaled, so the two may be one apart at either end.
            assertTrue(scaled >= fetched - 1 && scaled <= fetched + 1, scaled + " scales for " + fetched + " new frames");

            JsonNode cam = api.image("cam");
            assertEquals(1, cam.path("sizes").size(), cam.toString());
            JsonNode size = cam.path("sizes").get(0);
            assertEquals(320, size.path("width").asInt());
            assertEquals(180, size.path("height").asInt());
            assertEquals(100, size.path("viewers").asInt());
            assertEquals(100, cam.path("streams").size());
            assertEquals(320, cam.path("streams").get(0).path("size").path("width").asInt());
            assertTrue(api.metric("mjpeg_scale_seconds_total{image=\"cam\"}") > 0);
        } finally {
            for (MjpegReader viewer : viewers) {
                viewer.close();
            }
        }
        api.awaitImage("cam", cam -> cam.path("sizes").isEmpty(), Duration.ofSeconds(30), "should drop its size once nobody watches");
        double scaled = api.metric(SCALED);
        Await.pause(1000);
        assertEquals(scaled, api.metric(SCALED), "nothing is scaled for nobody");
    }
}

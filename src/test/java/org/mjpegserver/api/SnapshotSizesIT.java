package org.mjpegserver.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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
import org.mjpegserver.testing.Deployments;
import org.mjpegserver.testing.Http;
import org.mjpegserver.testing.ServerApi;
import org.mjpegserver.testing.TestImages;

/**
 * {@code GET /images/{id}?width=&height=}: a 1280x720 still from a file, scaled to the width step asked for,
 * with validators of its own per size; at most four sizes per image, then the nearest.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
final class SnapshotSizesIT {

    private static final byte[] STILL = TestImages.jpeg(1280, 720, "still");

    @ArquillianResource
    private URL base;

    @Deployment(testable = false)
    static WebArchive deployment() {
        WebArchive war = Deployments.war(String.join("\n",
                "images:",
                "  still:",
                "    url: 'file:still.jpg'",
                "  bounded:",
                "    url: 'file:still.jpg'",
                ""));
        Deployments.besideConfig("still.jpg", STILL);
        return war;
    }

    @Test
    void aSnapshotAtAWidthIsThatWideWithItsOwnTag() {
        HttpResponse<byte[]> full = Http.get(base + "images/still");
        assertArrayEquals(STILL, full.body());
        HttpResponse<byte[]> small = Http.get(base + "images/still?width=320");
        assertEquals(200, small.statusCode());
        assertEquals("image/jpeg", small.headers().firstValue("Content-Type").orElse(""));
        assertEquals(new JpegDimensions(320, 180), JpegDimensions.of(small.body()));
        assertEquals(String.valueOf(small.body().length), small.headers().firstValue("Content-Length").orElse(""));
        String tag = small.headers().firstValue("ETag").orElseThrow();
        String fullTag = full.headers().firstValue("ETag").orElseThrow();
        assertNotEquals(fullTag, tag, "each size has a tag of its own");

        assertEquals(304, conditional("images/still?width=320", tag).statusCode());
        assertEquals(304, conditional("images/still?height=180", tag).statusCode(), "the same size asked by its height");
        assertEquals(304, conditional("images/still?width=400", tag).statusCode(), "rounded to the same step");
        assertEquals(200, conditional("images/still?width=320", fullTag).statusCode(), "the full size's tag is another picture");
        assertEquals(200, conditional("images/still", tag).statusCode());
        assertArrayEquals(small.body(), Http.get(base + "images/still?width=320").body(), "made once, served again");
    }

    @Test
    void heightsAndBoxesKeepTheAspectAndNeverScaleUp() {
        assertEquals(new JpegDimensions(640, 360), JpegDimensions.of(Http.get(base + "images/still?height=400").body()));
        assertEquals(new JpegDimensions(480, 270), JpegDimensions.of(Http.get(base + "images/still?width=1000&height=300").body()));
        assertArrayEquals(STILL, Http.get(base + "images/still?width=1920").body(), "larger than the source: the source");
        assertArrayEquals(STILL, Http.get(base + "images/still?width=7680&height=7680").body());
    }

    @Test
    void beyondFourSizesARequestGetsTheNearest() {
        ServerApi api = new ServerApi(base);
        for (int width : new int[] {80, 160, 640, 960}) {
            assertEquals(width, JpegDimensions.of(Http.get(base + "images/bounded?width=" + width).body()).width());
        }
        assertEquals(160, JpegDimensions.of(Http.get(base + "images/bounded?width=320").body()).width());
        assertEquals(640, JpegDimensions.of(Http.get(base + "images/bounded?width=480").body()).width());
        assertEquals(960, JpegDimensions.of(Http.get(base + "images/bounded?width=1279").body()).width());
        List<Integer> widths = new ArrayList<>();
        JsonNode bounded = api.image("bounded");
        bounded.path("sizes").forEach(size -> widths.add(size.path("width").asInt()));
        assertEquals(List.of(80, 160, 640, 960), widths, bounded.toString());
        assertEquals(90, bounded.path("sizes").get(1).path("height").asInt());
        assertEquals(0, bounded.path("sizes").get(1).path("viewers").asInt());
        assertEquals(4, api.metric("mjpeg_sizes{image=\"bounded\"}"));
        assertEquals(4, api.metric("mjpeg_frames_scaled_total{image=\"bounded\"}"), "one scale per size of the one frame");
    }

    private HttpResponse<byte[]> conditional(String path, String tag) {
        return Http.send(HttpRequest.newBuilder(URI.create(base + path)).header("If-None-Match", tag).GET());
    }
}

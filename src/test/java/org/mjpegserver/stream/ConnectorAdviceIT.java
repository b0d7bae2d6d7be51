package org.mjpegserver.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mjpegserver.stream.StreamChecks.awaitSnapshot;
import static org.mjpegserver.stream.StreamChecks.images;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URL;
import java.util.List;
import java.util.logging.Level;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
import org.mjpegserver.testing.LogCapture;
import org.mjpegserver.testing.MjpegReader;
import org.mjpegserver.testing.Routes;
import org.mjpegserver.testing.TestImages;

/**
 * In a Tomcat with a stock connector (the embedded one of these tests: Tomcat's default 8 KB socket write buffer),
 * the admin is told once at start, and on {@code /images} for each image whose frames do not fit that buffer,
 * which server.xml attributes help; an image with small frames gets no advice.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
final class ConnectorAdviceIT {

    /** About 100 KB: a 720p camera frame, more than the stock connector's 8 KB. */
    private static final byte[] LARGE = TestImages.withComment(TestImages.withComment(TestImages.jpeg(320, 240, "large"),
            "x".repeat(50_000)), "y".repeat(50_000));
    private static final byte[] SMALL = TestImages.jpeg(64, 48, "small");
    private static FakeCamera camera;
    private static LogCapture log;

    @ArquillianResource
    private URL base;

    @Deployment(testable = false)
    static WebArchive deployment() {
        // From before the deployment: the advice is logged while the application starts.
        log = LogCapture.of("org.mjpegserver").minimum(Level.WARNING);
        camera = FakeCamera.http().serve("/large", Routes.jpeg(LARGE)).serve("/small", Routes.jpeg(SMALL));
        return Deployments.war("images:\n"
                + "  large:\n"
                + "    url: " + camera.url("/large") + "\n"
                + "  small:\n"
                + "    url: " + camera.url("/small") + "\n");
    }

    @AfterAll
    static void stop() {
        log.close();
        camera.close();
    }

    @Test
    void startNamesTheConnectorAndTheAttributesThatHelpOnce() {
        List<LogCapture.Entry> advice = log.entries().stream()
                .filter(entry -> entry.message().contains("port " + base.getPort() + ")")).toList();
        assertEquals(1, advice.size(), "one warning about this connector at start: " + log.texts());
        String message = advice.get(0).message();
        assertEquals(Level.WARNING, advice.get(0).level());
        assertTrue(message.contains("socket write buffer of 8 KB"), message);
        assertTrue(message.contains("socket.appWriteBufSize=\"131072\" socket.directBuffer=\"true\""), message);
        assertTrue(message.contains("less CPU per frame"), "says what the change saves: " + message);
    }

    @Test
    void imagesShowTheAdviceWhereFramesDoNotFitTheBuffer() throws Exception {
        awaitSnapshot(base, "large");
        awaitSnapshot(base, "small");
        JsonNode images = images(base);
        String advice = images.path("large").path("connector_advice").asText();
        assertTrue(advice.contains("port " + base.getPort()) && advice.contains("socket write buffer of 8 KB")
                && advice.contains("socket.appWriteBufSize=\"131072\""), advice);
        Matcher size = Pattern.compile("smaller than a (\\d+) KB frame").matcher(advice);
        assertTrue(size.find(), advice);
        int kilobytes = Integer.parseInt(size.group(1));
        assertTrue(kilobytes >= LARGE.length / 1024 && kilobytes <= LARGE.length / 1024 + 2, "the image's own frame size: " + advice);
        assertTrue(images.path("small").has("connector_advice"), images.path("small").toString());
        assertTrue(images.path("small").path("connector_advice").isNull(), images.path("small").toString());

        // The advice is about cost, not correctness: the large frames stream whole through the small buffer.
        try (MjpegReader reader = MjpegReader.open(base + "images/large/stream")) {
            for (int i = 0; i < 3; i++) {
                assertEquals(LARGE.length, reader.next().jpeg().length);
            }
        }
    }
}

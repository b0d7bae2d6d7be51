package org.mjpegserver.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.mjpegserver.testing.Deployments;
import org.mjpegserver.testing.Http;
import org.mjpegserver.testing.MjpegReader;

@ExtendWith(ArquillianExtension.class)
@RunAsClient
class SmokeIT {

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.war("images:\n  pattern:\n    url: 'testpattern:'\n");
    }

    @ArquillianResource
    private URL base;

    @Test
    void servesHealthListAndStream() throws Exception {
        var health = Http.getText(base + "health");
        assertEquals(200, health.statusCode());
        assertEquals("{\"status\":\"healthy\"}", health.body());
        var list = Http.getText(base + "images");
        assertTrue(list.body().contains("\"pattern\""), list.body());
        try (MjpegReader reader = MjpegReader.open(base + "images/pattern/stream")) {
            assertEquals(3, reader.read(3).size());
        }
        var metrics = Http.getText(base + "metrics");
        assertEquals(200, metrics.statusCode());
        assertTrue(metrics.body().contains("mjpeg_fetches_total{image=\"pattern\",result=\"ok\"}"), metrics.body());
    }
}

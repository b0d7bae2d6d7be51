package org.mjpegserver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URL;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.mjpegserver.testing.Await;
import org.mjpegserver.testing.ConfigFile;
import org.mjpegserver.testing.Deployments;
import org.mjpegserver.testing.FakeCamera;
import org.mjpegserver.testing.LogCapture;
import org.mjpegserver.testing.Route;
import org.mjpegserver.testing.Routes;
import org.mjpegserver.testing.ServerApi;
import org.mjpegserver.testing.StreamRecorder;
import org.mjpegserver.testing.TestImages;

/**
 * Editing config.yaml while the server runs: removed images stop and their streams end, added ones start,
 * changed ones restart with the new settings, and an untouched image streams on without a hiccup. A broken
 * edit is reported with file and line and changes nothing.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
final class ConfigReloadIT {

    /** The watcher looks every 2 s; applying takes a moment more on a busy machine. */
    private static final Duration RELOAD = Duration.ofSeconds(10);
    private static final double STREAM_FPS = 5;
    private static final long FRAME_INTERVAL_NANOS = (long) (1e9 / STREAM_FPS);

    private static FakeCamera camera;
    private static Path configFile;

    @ArquillianResource
    private URL base;

    @Deployment(testable = false)
    static WebArchive deployment() throws IOException {
        camera = FakeCamera.http();
        for (String id : new String[] {"a", "b", "c", "c2", "d", "e"}) {
            camera.serve("/" + id, stamped(id));
        }
        WebArchive war = Deployments.war(config(false, false, null));
        // Deployments.war hands the file to the server by this property; the test edits that very file.
        configFile = ConfigFile.current();
        return war;
    }

    @AfterAll
    static void stopCamera() {
        camera.close();
    }

    /**
     * The config before ({@code edited} false) and after the edit; {@code brokenLine} inserts a line as it is,
     * right after the {@code stream_fps} line of the server section (line 3).
     */
    private static String config(boolean edited, boolean withE, String brokenLine) {
        StringBuilder yaml = new StringBuilder()
                .append("mjpeg-server:\n")
                .append("  image_timeout_seconds: 5\n")
                .append("  stream_fps: ").append(STREAM_FPS).append('\n');
        if (brokenLine != null) {
            yaml.append(brokenLine).append('\n');
        }
        yaml.append("  fetch_minimum_fps: 2\n")
                .append("images:\n")
                .append("  a:\n")
                .append("    url: ").append(camera.url("/a")).append('\n');
        if (!edited) {
            yaml.append("  b:\n")
                    .append("    url: ").append(camera.url("/b")).append('\n')
                    .append("  c:\n")
                    .append("    url: ").append(camera.url("/c")).append('\n');
        } else {
            yaml.append("  c:\n")
                    .append("    url: ").append(camera.url("/c2")).append('\n')
                    .append("    stream_fps: 8\n")
                    .append("  d:\n")
                    .append("    url: ").append(camera.url("/d")).append('\n');
        }
        if (withE) {
            yaml.append("  e: ").append(camera.url("/e")).append('\n');
        }
        return yaml.toString();
    }

    /** Every response a new JPEG whose comment says where it came from: "c2-17" is the 17th from /c2. */
    private static Route stamped(String label) {
        byte[] jpeg = TestImages.jpeg(64, 48, label);
        AtomicInteger count = new AtomicInteger();
        return Routes.image(() -> TestImages.withComment(jpeg, label + "-" + count.incrementAndGet()), "image/jpeg");
    }


    private static boolean from(StreamRecorder.Part part, String source) {
        return part.comment() != null && part.comment().startsWith(source + "-");
    }

    @Test
    void editsApplyWithoutRestartAndBrokenEditsChangeNothing() throws Exception {
        ServerApi api = new ServerApi(base);
        assertEquals(Set.of("a", "b", "c"), api.ids());
        for (String id : new String[] {"a", "b", "c"}) {
            api.awaitImage(id, image -> image.get("state").asText().equals("fresh"), Duration.ofSeconds(10), "fresh");
        }
        try (LogCapture log = LogCapture.of("org.mjpegserver");
                StreamRecorder a = StreamRecorder.start(api.url("images/a/stream"));
                StreamRecorder b = StreamRecorder.start(api.url("images/b/stream"));
                StreamRecorder oldC = StreamRecorder.start(api.url("images/c/stream"))) {
            long opened = System.nanoTime();
            a.awaitPart(opened, part -> from(part, "a"), Duration.ofSeconds(5), "from /a");
            b.awaitPart(opened, part -> from(part, "b"), Duration.ofSeconds(5), "from /b");
            oldC.awaitPart(opened, part -> from(part, "c"), Duration.ofSeconds(5), "from /c");

            // Remove b, point c elsewhere at another rate, add d, leave a alone.
            ConfigFile.rewrite(configFile, config(true, false, null));

            b.awaitEnd(RELOAD);
            assertEquals(404, api.get("images/b").statusCode());
            assertEquals(404, api.get("images/b/stream").statusCode());
            oldC.awaitEnd(RELOAD);
            assertEquals(Set.of("a", "c", "d"), api.ids());
            String metrics = api.getText("metrics").body();
            assertTrue(metrics.contains("image=\"d\""), metrics);
            assertFalse(metrics.contains("image=\"b\""), "a removed image stays in /metrics:\n" + metrics);

            JsonNode c = api.image("c");
            assertEquals(camera.url("/c2"), c.get("config").get("url").asText());
            assertEquals(8.0, c.get("config").get("stream_fps").asDouble());
            try (StreamRecorder newC = StreamRecorder.start(api.url("images/c/stream"));
                    StreamRecorder d = StreamRecorder.start(api.url("images/d/stream"))) {
                long now = System.nanoTime();
                newC.awaitPart(now, part -> from(part, "c2"), Duration.ofSeconds(5), "from /c2");
                d.awaitPart(now, part -> from(part, "d"), Duration.ofSeconds(5), "from /d");
                JsonNode streams = api.image("c").get("streams");
                assertEquals(1, streams.size(), streams.toString());
                assertEquals(8.0, streams.get(0).get("stream_fps").asDouble(), streams.toString());
                assertTrue(newC.parts().stream().noneMatch(part -> from(part, "c")), "a frame of the old c url after the restart");
            }
            LogCapture.Entry summary = log.await(entry -> entry.message().startsWith("Config reloaded"), RELOAD, "about the reload");
            assertEquals("Config reloaded: added [d], removed [b], restarted [c], 1 unchanged", summary.message());

            JsonNode running = configs(api);
            // A syntax error (bad indentation on line 4): reported with file and line, nothing changes.
            ConfigFile.rewrite(configFile, config(false, true, " fetch_maximum_fps: 10"));
            assertRejected(log, 4);
            // A value out of range on line 3.
            ConfigFile.rewrite(configFile, config(true, true, null).replace("  stream_fps: " + STREAM_FPS, "  stream_fps: -1"));
            assertRejected(log, 3);
            assertEquals(running, configs(api), "a rejected config must leave the running one");

            // Fixed again: the edit (adding e) applies.
            ConfigFile.rewrite(configFile, config(true, true, null));
            api.awaitImage("e", image -> image.get("state").asText().equals("fresh"), RELOAD, "is added and fresh");
            assertEquals(Set.of("a", "c", "d", "e"), api.ids());

            // a streamed on through all of it, on the same connection, without a gap.
            long lastNanos = a.parts().get(a.parts().size() - 1).nanos();
            Await.until(Duration.ofSeconds(2), () -> a.parts().get(a.parts().size() - 1).nanos() != lastNanos,
                    () -> "a's stream stopped sending");
            assertFalse(a.ended(), "a's stream was closed by the reload");
            assertNull(a.failure());
            long gap = a.maxGapNanos();
            assertTrue(gap <= 3 * FRAME_INTERVAL_NANOS, "a's stream paused for " + TimeUnit.NANOSECONDS.toMillis(gap)
                    + " ms; frames are due every " + TimeUnit.NANOSECONDS.toMillis(FRAME_INTERVAL_NANOS) + " ms");
            assertTrue(a.parts().stream().allMatch(part -> from(part, "a")), "a only ever shows its own camera");
        }
    }

    /** Each image's effective config from GET /images, by id. */
    private static JsonNode configs(ServerApi api) {
        ObjectNode configs = JsonNodeFactory.instance.objectNode();
        api.images().fields().forEachRemaining(image -> configs.set(image.getKey(), image.getValue().get("config")));
        return configs;
    }

    /** The watcher logged the rejection naming the file and line, and the running images are as they were. */
    private void assertRejected(LogCapture log, int line) {
        String where = configFile + ":" + line + ":";
        LogCapture.Entry record = log.await(r -> r.level() == Level.SEVERE && r.message().contains(where),
                RELOAD, "naming " + where);
        assertTrue(record.message().contains("the running config stays"), record.message());
        assertTrue(record.logger().startsWith("org.mjpegserver."), record.logger());
    }
}

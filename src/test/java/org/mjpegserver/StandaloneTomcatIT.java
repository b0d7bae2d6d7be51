package org.mjpegserver;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.mjpegserver.testing.ConfigFile;
import org.mjpegserver.testing.DockerImage;
import org.mjpegserver.testing.FakeCamera;
import org.mjpegserver.testing.Http;
import org.mjpegserver.testing.MjpegReader;
import org.mjpegserver.testing.Routes;
import org.mjpegserver.testing.TestImages;

/**
 * The built WAR in a real Tomcat distribution (the one from Maven Central that {@code cargo:run} uses), started
 * with {@code bin/catalina.sh run} as the Docker image does, with the Dockerfile's own edits of server.xml and the
 * config given by the environment variable {@code MJPEG_SERVER_CONFIG}. The WAR is deployed twice at once: as
 * ROOT.war and as mjpeg-server.war (context path /mjpeg-server). Every endpoint is checked on both, then one is
 * undeployed and Tomcat is stopped with SIGTERM (what {@code docker stop} sends), and Tomcat's logs must show
 * neither errors nor leaks but the one error the test provokes, which shows that the check would see the webapp's.
 * Last, Tomcat starts again with no config anywhere, and the failed deployment says where it looked.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
final class StandaloneTomcatIT {

    private static final Duration START_LIMIT = Duration.ofSeconds(90);
    private static final Duration STOP_LIMIT = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final byte[] STILL = TestImages.jpeg(160, 120, "still");
    /** What Tomcat logs when a webapp leaves something behind at undeploy or stop. */
    private static final List<String> LEAK_SIGNS = List.of("appears to have started a thread", "memory leak",
            "failed to stop", "failed to deregister", "ThreadLocal", "SEVERE");
    /** What the webapp logs, as SEVERE, when it rejects a broken edit of its config. */
    private static final String REJECTED = "Config change rejected";
    /** The JVM options of the Docker image, which copies this file to Tomcat's bin/setenv.sh. */
    private static final Path SETENV = Path.of("src/main/docker/setenv.sh");

    private static Path home;
    private static Path catalinaBase;
    private static Path configFile;
    private static Path console;
    private static FakeCamera camera;
    private static Process tomcat;
    private static String origin;

    @BeforeAll
    static void startTomcat() throws Exception {
        home = Path.of(System.getProperty("standalone.tomcat.home", "target/tomcat-dist/apache-tomcat"));
        assertTrue(Files.isRegularFile(home.resolve("bin/catalina.sh")),
                "no Tomcat distribution at " + home + "; `mvn verify` unpacks it before the integration tests");
        int port = Integer.getInteger("standalone.tomcat.port", 18280);
        origin = "http://127.0.0.1:" + port;
        Path war = Path.of(System.getProperty("mjpeg.war", "target/mjpeg-server.war")).toAbsolutePath();
        catalinaBase = war.getParent().resolve("standalone-tomcat");
        deleteTree(catalinaBase);
        for (String dir : List.of("bin", "conf", "logs", "temp", "work", "webapps", "config", "cwd")) {
            Files.createDirectories(catalinaBase.resolve(dir));
        }
        // The image's JVM options, where its catalina.sh finds them.
        Files.copy(SETENV, catalinaBase.resolve("bin/setenv.sh"));
        try (Stream<Path> files = Files.list(home.resolve("conf"))) {
            for (Path file : (Iterable<Path>) files::iterator) {
                Files.copy(file, catalinaBase.resolve("conf").resolve(file.getFileName()));
            }
        }
        Path serverXml = catalinaBase.resolve("conf/server.xml");
        applyDockerfileEdits(serverXml);
        String xml = Files.readString(serverXml);
        // Our port, and no shutdown port: the test stops Tomcat with a signal, as Docker does. No Tomcat Native
        // either: Tomcat loads it only for OpenSSL's TLS, which this Tomcat does not serve, and an older copy on the
        // machine (Debian's tomcat10 pulls in libtcnative-1 1.2) makes its listener log SEVERE at start.
        xml = xml.replace("port=\"8080\"", "port=\"" + port + "\"")
                .replace("<Server port=\"8005\"", "<Server port=\"-1\"")
                .replace("<Listener className=\"org.apache.catalina.core.AprLifecycleListener\" />", "");
        assertFalse(xml.contains("<Listener className=\"org.apache.catalina.core.AprLifecycleListener\""), xml);
        Files.writeString(serverXml, xml);

        camera = FakeCamera.http();
        camera.serve("/snapshot.jpg", Routes.sequence(List.of(TestImages.jpeg(200, 150, "cam 1"), TestImages.jpeg(200, 150, "cam 2"))));
        Files.write(catalinaBase.resolve("config/still.jpg"), STILL);
        configFile = catalinaBase.resolve("config/config.yaml");
        Files.writeString(configFile, String.join("\n",
                "mjpeg-server:",
                "  stream_fps: 10",
                "  image_timeout_seconds: 5",
                "images:",
                "  pattern:",
                "    url: 'testpattern:320x240'",
                "  still:",
                "    url: 'file:still.jpg'",
                "  camera:",
                "    url: '" + camera.url("/snapshot.jpg") + "'",
                "    fetch_minimum_fps: 5",
                ""));

        Files.copy(war, catalinaBase.resolve("webapps/ROOT.war"));
        Files.copy(war, catalinaBase.resolve("webapps/mjpeg-server.war"));

        console = catalinaBase.resolve("logs/console.log");
        tomcat = catalinaRun(console, configFile);

        waitFor(START_LIMIT, "Tomcat serving both contexts", () -> {
            if (!tomcat.isAlive()) {
                fail("Tomcat exited with " + tomcat.exitValue() + ":\n" + tail(console));
            }
            return healthy("") && healthy("/mjpeg-server");
        });
    }

    @AfterAll
    static void stopEverything() throws Exception {
        if (tomcat != null && tomcat.isAlive()) {
            tomcat.destroy();
            if (!tomcat.waitFor(STOP_LIMIT.toSeconds(), TimeUnit.SECONDS)) {
                tomcat.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
        if (camera != null) {
            camera.close();
        }
    }

    @Order(1)
    @Test
    void dockerfileEditsApplyToTheDistributionsServerXml() throws IOException {
        String xml = Files.readString(catalinaBase.resolve("conf/server.xml"));
        assertTrue(xml.contains("pattern=\"%h %l %u %t &quot;%m %U %H&quot; %s %b\""), "access log pattern not edited");
        assertTrue(xml.contains("<Valve className=\"org.apache.catalina.valves.ErrorReportValve\" showReport=\"false\" showServerInfo=\"false\"/>"),
                "ErrorReportValve not added");
        assertTrue(xml.contains("protocol=\"HTTP/1.1\" maxThreads=\"16\" minSpareThreads=\"16\" socket.appWriteBufSize=\"131072\""), "connector not tuned");
    }

    @Order(1)
    @Test
    void theJvmRunsWithTheDockerImagesOptions() throws IOException {
        String commandLine = Files.readString(Path.of("/proc", String.valueOf(tomcat.pid()), "cmdline")).replace('\0', ' ');
        String options = Files.readString(SETENV).replaceAll("(?m)^#.*$", "");
        Matcher option = Pattern.compile("\\s(-[XD][^\\s\"\\\\]+)").matcher(options);
        int found = 0;
        while (option.find()) {
            assertTrue(commandLine.contains(" " + option.group(1) + " "), option.group(1) + " missing from " + commandLine);
            found++;
        }
        assertTrue(found >= 5, "expected the JVM options of " + SETENV + ", found " + found);
        assertTrue(Files.readString(Path.of("/proc", String.valueOf(tomcat.pid()), "environ")).contains("MALLOC_ARENA_MAX=2"),
                "MALLOC_ARENA_MAX not exported");
    }

    @Order(2)
    @Test
    void configComesFromTheEnvironmentVariable() {
        // Both contexts log the file they loaded; the process has neither the system property nor a ./config.yaml.
        waitFor(Duration.ofSeconds(10), "the start message in the log", () -> count(consoleText(),
                "mjpeg-server started with 3 image(s) from " + configFile + ": pattern, still, camera") == 2);
    }

    @Order(3)
    @ParameterizedTest
    @ValueSource(strings = {"", "/mjpeg-server"})
    void healthAnswers(String context) {
        HttpResponse<String> health = Http.getText(origin + context + "/health");
        assertEquals(200, health.statusCode());
        assertEquals("{\"status\":\"healthy\"}", health.body());
    }

    @Order(3)
    @ParameterizedTest
    @ValueSource(strings = {"", "/mjpeg-server"})
    void imageListUrlsCarryTheContextPath(String context) throws IOException {
        HttpResponse<String> list = Http.getText(origin + context + "/images");
        assertEquals(200, list.statusCode(), list.body());
        assertTrue(list.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
        JsonNode images = JSON.readTree(list.body());
        assertEquals(List.of("pattern", "still", "camera"), fieldNames(images));
        for (String id : List.of("pattern", "still", "camera")) {
            JsonNode image = images.get(id);
            assertEquals(origin + context + "/images/" + id, image.get("image_url").asText(), list.body());
            assertEquals(origin + context + "/images/" + id + "/stream", image.get("stream_url").asText(), list.body());
        }
    }

    @Order(3)
    @ParameterizedTest
    @ValueSource(strings = {"", "/mjpeg-server"})
    void snapshotsAreTheImagesAsJpeg(String context) throws IOException {
        assertEquals(new Dimensions(320, 240), decode(snapshot(context, "pattern")));
        // A file: source with valid_jpeg passes the file's bytes through unchanged.
        assertArrayEquals(STILL, snapshot(context, "still"));
        assertEquals(new Dimensions(200, 150), decode(snapshot(context, "camera")));
    }

    @Order(3)
    @ParameterizedTest
    @ValueSource(strings = {"", "/mjpeg-server"})
    void streamsFollowTheListedUrlAndAreStrictMjpeg(String context) throws IOException {
        JsonNode images = JSON.readTree(Http.getText(origin + context + "/images").body());
        for (String id : List.of("pattern", "still", "camera")) {
            try (MjpegReader reader = MjpegReader.open(images.get(id).get("stream_url").asText() + "?frame_rate=20")) {
                List<MjpegReader.Part> parts = reader.read(4);
                for (MjpegReader.Part part : parts) {
                    assertNotNull(ImageIO.read(new ByteArrayInputStream(part.jpeg())), id + ": a part does not decode");
                }
                if (id.equals("pattern")) {
                    // The pattern changes with every fetch, so a live stream cannot repeat one frame throughout.
                    assertFalse(parts.stream().allMatch(p -> java.util.Arrays.equals(p.jpeg(), parts.get(0).jpeg())),
                            "four identical frames from the test pattern");
                }
            }
        }
    }

    @Order(3)
    @ParameterizedTest
    @ValueSource(strings = {"", "/mjpeg-server"})
    void metricsAreExposed(String context) {
        HttpResponse<String> metrics = Http.getText(origin + context + "/metrics");
        assertEquals(200, metrics.statusCode());
        assertTrue(metrics.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"));
        for (String id : List.of("pattern", "still", "camera")) {
            assertTrue(metrics.body().contains("mjpeg_fetches_total{image=\"" + id + "\",result=\"ok\"}"), metrics.body());
        }
    }

    @Order(3)
    @ParameterizedTest
    @ValueSource(strings = {"", "/mjpeg-server"})
    void dashboardIsServedWithItsAssets(String context) {
        for (String root : List.of(origin + context + "/", origin + context + "/index.html")) {
            HttpResponse<String> page = Http.getText(root);
            assertEquals(200, page.statusCode(), root);
            assertTrue(page.headers().firstValue("Content-Type").orElse("").startsWith("text/html"), root);
            assertTrue(page.body().contains("<title>mjpeg-server</title>"), page.body());
            assertTrue(page.body().contains("src=\"dashboard.js\""), page.body());
        }
        HttpResponse<String> script = Http.getText(origin + context + "/dashboard.js");
        assertEquals(200, script.statusCode());
        assertTrue(script.headers().firstValue("Content-Type").orElse("").contains("javascript"));
        HttpResponse<String> css = Http.getText(origin + context + "/dashboard.css");
        assertEquals(200, css.statusCode());
        assertTrue(css.headers().firstValue("Content-Type").orElse("").startsWith("text/css"));
    }

    @Order(3)
    @ParameterizedTest
    @ValueSource(strings = {"", "/mjpeg-server"})
    void unknownIdsAre404WithAPlainReason(String context) {
        for (String path : List.of("/images/nope", "/images/nope/stream")) {
            HttpResponse<String> response = Http.getText(origin + context + path);
            assertEquals(404, response.statusCode(), path);
            assertEquals("404 unknown image id 'nope'\n", response.body(), path);
            assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"), path);
        }
        // Outside the webapp's own paths Tomcat's default servlet answers, through our error page.
        HttpResponse<String> missing = Http.getText(origin + context + "/no-such-file.txt");
        assertEquals(404, missing.statusCode());
        assertTrue(missing.body().startsWith("404 "), missing.body());
        assertFalse(missing.body().contains("Apache Tomcat"), missing.body());
    }

    @Order(4)
    @Test
    void undeployingOneContextLeavesTheOtherServing() throws Exception {
        Files.delete(catalinaBase.resolve("webapps/mjpeg-server.war"));
        // Tomcat notices a removed WAR on its background check, every 10 s by default.
        waitFor(Duration.ofSeconds(40), "/mjpeg-server undeployed",
                () -> Http.getText(origin + "/mjpeg-server/health").statusCode() == 404);
        waitFor(Duration.ofSeconds(10), "the undeployed context's stop message", () -> count(consoleText(), "mjpeg-server stopped") == 1);
        // The remaining context still decodes and encodes: undeploying the other took only its own ImageIO plugins.
        assertEquals(new Dimensions(320, 240), decode(snapshot("", "pattern")));
        try (MjpegReader reader = MjpegReader.open(origin + "/images/camera/stream")) {
            assertEquals(new Dimensions(200, 150), decode(reader.read(2).get(1).jpeg()));
        }
    }

    @Order(5)
    @Test
    void aRejectedConfigEditIsLoggedAsAnError() throws Exception {
        // A real error of the webapp's own, which the log check at the end must find (and nothing else).
        String config = Files.readString(configFile);
        ConfigFile.rewrite(configFile, config + "  broken: [\n");
        waitFor(Duration.ofSeconds(20), "the rejected config edit", () -> count(consoleText(), REJECTED) == 1);
        ConfigFile.rewrite(configFile, config);
        waitFor(Duration.ofSeconds(20), "the config back as it was", () -> consoleText().contains("Config reloaded: added [], removed [], restarted [], 3 unchanged"));
    }

    @Order(6)
    @Test
    void stopBySigtermLeavesNoErrorsOrLeaksInTheLogs() throws Exception {
        // A stream open while Tomcat stops, as with a viewer attached during `docker stop`.
        try (MjpegReader viewer = MjpegReader.open(origin + "/images/pattern/stream?frame_rate=5&token=secret-in-query")) {
            viewer.read(1);
            tomcat.destroy();
            assertTrue(tomcat.waitFor(STOP_LIMIT.toSeconds(), TimeUnit.SECONDS), "Tomcat did not stop after SIGTERM:\n" + tail(console));
        }
        String logs = logText();
        assertEquals(2, count(consoleText(), "mjpeg-server stopped"), logs);
        List<String> problems = new ArrayList<>();
        List<String> rejected = new ArrayList<>();
        for (String line : logs.split("\n")) {
            if (LEAK_SIGNS.stream().anyMatch(line::contains)) {
                problems.add(line);
            }
            if (line.contains(REJECTED)) {
                rejected.add(line);
            }
        }
        // The check sees the webapp's own error from the rejected edit (once on the console, once in the log file)...
        assertEquals(2, rejected.size(), logs);
        assertTrue(rejected.stream().allMatch(line -> line.contains(" SEVERE ")), logs);
        // ...and nothing else: no other error and no leak, from the webapp or from Tomcat.
        assertEquals(rejected, problems, "Tomcat logged errors or leaks; all logs:\n" + logs);
        // The Dockerfile's access log pattern leaves out query strings, where ?token= goes.
        String access = accessLog();
        assertTrue(access.contains("\"GET /images/pattern/stream HTTP/1.1\""), access);
        assertTrue(access.contains("\"GET /mjpeg-server/health HTTP/1.1\" 200"), access);
        assertFalse(access.contains("token="), access);
        assertFalse(access.contains("frame_rate="), access);
    }

    @Order(7)
    @Test
    void aFirstStartWithoutAConfigSaysWhereItLookedAndHowToPointAtOne() throws Exception {
        // The same Tomcat started again as a newcomer would: no config named anywhere, none in the working directory.
        console = catalinaBase.resolve("logs/console-first-start.log");
        tomcat = catalinaRun(console, null);
        Path missing = catalinaBase.resolve("cwd").toRealPath().resolve("config.yaml");
        String message = String.join("\n",
                "No config found. mjpeg-server reads the file named by the first of these that is set:",
                "  system property mjpeg.server.config: not set",
                "  environment variable MJPEG_SERVER_CONFIG: not set",
                "  context parameter mjpeg.server.config: not set",
                "  else config.yaml in the working directory: " + missing + " does not exist",
                "Point mjpeg-server at your config with one line in Tomcat's bin/setenv.sh:",
                "  export MJPEG_SERVER_CONFIG=/path/to/config.yaml");
        waitFor(START_LIMIT, "the message about the missing config", () -> consoleText().contains(message));
        // The deployment failed, and only it: Tomcat serves on, without the webapp.
        waitFor(START_LIMIT, "Tomcat answering without the webapp", () -> status(origin + "/health") == 404);
        assertFalse(consoleText().contains("NoSuchFileException"), consoleText());
        tomcat.destroy();
        assertTrue(tomcat.waitFor(STOP_LIMIT.toSeconds(), TimeUnit.SECONDS), "Tomcat did not stop after SIGTERM:\n" + tail(console));
    }

    // --- helpers ---

    /**
     * Starts {@code bin/catalina.sh run} with its output in {@code output}, in a working directory without a
     * config.yaml, with {@code config} in {@code MJPEG_SERVER_CONFIG} (null: no config named anywhere).
     */
    private static Process catalinaRun(Path output, Path config) throws IOException {
        return DockerImage.catalinaRun(home, catalinaBase, config)
                .directory(catalinaBase.resolve("cwd").toFile())
                .redirectErrorStream(true)
                .redirectOutput(output.toFile())
                .start();
    }

    private static int status(String url) {
        try {
            return Http.sendText(HttpRequest.newBuilder(URI.create(url)).GET()).statusCode();
        } catch (UncheckedIOException e) {
            return -1; // not listening yet
        }
    }

    private record Dimensions(int width, int height) {
    }

    private static Dimensions decode(byte[] jpeg) throws IOException {
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(jpeg));
        assertNotNull(image, "not a decodable image");
        return new Dimensions(image.getWidth(), image.getHeight());
    }

    private static byte[] snapshot(String context, String id) {
        HttpResponse<byte[]> response = Http.get(origin + context + "/images/" + id);
        assertEquals(200, response.statusCode(), () -> id + ": " + new String(response.body(), StandardCharsets.UTF_8));
        assertEquals("image/jpeg", response.headers().firstValue("Content-Type").orElse(""));
        return response.body();
    }

    private static boolean healthy(String context) {
        try {
            return Http.sendText(HttpRequest.newBuilder(URI.create(origin + context + "/health")).GET()).statusCode() == 200;
        } catch (UncheckedIOException e) {
            return false; // not listening yet
        }
    }

    /**
     * Runs the same {@code sed -i} edits of server.xml as the Dockerfile's RUN step, read from the Dockerfile
     * itself, so a change there (or in Tomcat's server.xml) that makes them miss shows up here.
     */
    private static void applyDockerfileEdits(Path serverXml) throws Exception {
        assertEquals(3, DockerImage.applyServerXmlEdits(Path.of("Dockerfile"), serverXml),
                "expected the Dockerfile's three server.xml edits");
    }

    /** Everything Tomcat wrote: the console (stdout of catalina.sh run) and the files of its JULI handlers. */
    private static String logText() {
        StringBuilder all = new StringBuilder();
        try (Stream<Path> files = Files.list(catalinaBase.resolve("logs"))) {
            for (Path file : files.filter(f -> !f.getFileName().toString().startsWith("localhost_access_log")).sorted().toList()) {
                all.append("==> ").append(file.getFileName()).append(" <==\n").append(Files.readString(file, StandardCharsets.ISO_8859_1));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return all.toString();
    }

    /** The console alone: the JULI log file repeats each of its lines. */
    private static String consoleText() {
        try {
            return Files.readString(console, StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String accessLog() throws IOException {
        StringBuilder all = new StringBuilder();
        try (Stream<Path> files = Files.list(catalinaBase.resolve("logs"))) {
            for (Path file : files.filter(f -> f.getFileName().toString().startsWith("localhost_access_log")).toList()) {
                all.append(Files.readString(file, StandardCharsets.ISO_8859_1));
            }
        }
        assertNotEquals(0, all.length(), "no access log written");
        return all.toString();
    }

    private static String tail(Path file) {
        try {
            String text = Files.readString(file, StandardCharsets.ISO_8859_1);
            return text.substring(Math.max(0, text.length() - 4000));
        } catch (IOException e) {
            return "(no console output: " + e.getMessage() + ")";
        }
    }

    private static int count(String text, String needle) {
        int n = 0;
        for (int at = text.indexOf(needle); at >= 0; at = text.indexOf(needle, at + needle.length())) {
            n++;
        }
        return n;
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static void waitFor(Duration limit, String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out after " + limit.toSeconds() + " s waiting for " + what + "; Tomcat console:\n" + tail(console));
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }
}

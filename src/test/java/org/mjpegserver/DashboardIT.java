package org.mjpegserver;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.File;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import javax.imageio.ImageIO;
import org.apache.catalina.Context;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.mjpegserver.RequestCounter.Kind;
import org.mjpegserver.testing.Await;
import org.mjpegserver.testing.ConfigFile;
import org.mjpegserver.testing.Deployments;
import org.mjpegserver.testing.FakeCamera;
import org.mjpegserver.testing.MjpegReader;
import org.mjpegserver.testing.Route;
import org.mjpegserver.testing.Routes;
import org.mjpegserver.testing.ServerApi;
import org.mjpegserver.testing.TestImages;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.WindowType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard in a real browser (the system's headless Chromium) against the real WAR under a context path, with
 * 24 images: live, resting, stale, failing, never fetched, and one whose error text is HTML. Every preview shows a
 * picture within seconds and keeps changing, the card figures follow streams opened elsewhere, the large view plays
 * and ends its stream when closed, the page keeps working while another tab holds six streams, asks for nothing
 * while hidden, asks for the access token plainly, comes back by itself after the server restarts, and gives the
 * connector advice through a connector whose buffer is smaller than the frames (not through a tuned one) until
 * dismissed. Leaves screenshots in target/screenshots/. {@code -Ddashboard.soakSeconds=N} adds a soak that measures
 * what the open dashboard costs the server and whether the page's memory stays flat. Skipped where Chromium is not
 * installed.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
final class DashboardIT {

    private static final File CHROMIUM = new File("/usr/bin/chromium");
    private static final File CHROMEDRIVER = new File("/usr/bin/chromedriver");
    private static final Duration WAIT = Duration.ofSeconds(20);
    /** How soon every preview must show its first picture after the page loads. */
    private static final Duration FIRST_PICTURES = Duration.ofSeconds(10);
    private static final String CONTEXT = "/cams";
    private static final String TOKEN = "s3cret-t0ken";
    /** Error texts reach the page: this file name makes one that is HTML, and would run script if used as such. */
    private static final String HTML_FILE_NAME = "<img src=x onerror=\"window.injected=1\">&amp;.jpg";
    /** Test patterns; one id with every kind of character an id may have. */
    private static final List<String> PATTERNS = concat(
            IntStream.rangeClosed(1, 17).mapToObj(i -> String.format(Locale.ROOT, "cam-%02d", i)).toList(), List.of("a-b_c"));
    /** Images with a picture to preview: the test patterns, two cameras and one gone stale. */
    private static final List<String> PICTURED = concat(PATTERNS, List.of("slow", "ondemand", "stale"));
    private static final List<String> IDS = concat(PICTURED, List.of("failing", "waiting", "html"));

    private static FakeCamera camera;
    private static EmbeddedTomcat tomcat;
    private static Context context;
    private static Path war;
    private static Path config;
    private static String previousConfig;
    private static final RequestCounter requests = new RequestCounter();
    private static ChromeDriver browser;
    private static Path profile;
    private static String page;
    private static ServerApi api;
    private static Path screenshots;
    /** Connectors beside the default one: a socket write buffer smaller than the test patterns' frames, and the Docker image's. */
    private static int smallBufferPort;
    private static int tunedPort;

    private static String config(String accessToken) {
        StringBuilder yaml = new StringBuilder("mjpeg-server:\n  stream_fps: 10\n  fetch_minimum_fps: 2\n");
        if (accessToken != null) {
            yaml.append("  access_token: ").append(accessToken).append('\n');
        }
        yaml.append("images:\n");
        PATTERNS.forEach(id -> yaml.append("  ").append(id).append(": 'testpattern:320x180'\n"));
        yaml.append("  slow:\n    url: '").append(camera.url("/slow.jpg")).append("'\n    fetch_minimum_fps: 0.5\n");
        yaml.append("  ondemand:\n    url: '").append(camera.url("/ondemand.jpg")).append("'\n    fetch_minimum_fps: 0\n");
        yaml.append("  stale:\n    url: '").append(camera.url("/stale.jpg"))
                .append("'\n    image_timeout_seconds: 1\n    image_timeout_behavior: stale_image\n");
        yaml.append("  failing:\n    url: '").append(camera.url("/failing.jpg")).append("'\n    image_timeout_seconds: 3600\n");
        yaml.append("  waiting:\n    url: '").append(camera.url("/hanging.jpg")).append("'\n    image_timeout_seconds: 3600\n");
        yaml.append("  html:\n    url: 'file:").append(HTML_FILE_NAME.replace("'", "''")).append("'\n    image_timeout_seconds: 3600\n");
        return yaml.toString();
    }

    @BeforeAll
    static void start() throws Exception {
        assumeTrue(CHROMIUM.canExecute() && CHROMEDRIVER.canExecute(), "Chromium or chromedriver is not installed");
        camera = FakeCamera.http();
        camera.serve("/slow.jpg", Routes.sequence(frames("slow")));
        camera.serve("/ondemand.jpg", Routes.sequence(frames("on demand")));
        // Two good frames, then broken for good: the card has had a picture and then shows the stale image.
        AtomicInteger staleRequests = new AtomicInteger();
        Route good = Routes.jpeg(TestImages.jpeg(320, 180, "stale soon"));
        Route broken = Routes.status(500);
        camera.serve("/stale.jpg", exchange -> (staleRequests.incrementAndGet() <= 2 ? good : broken).handle(exchange));
        camera.serve("/failing.jpg", Routes.status(500));
        camera.serve("/hanging.jpg", Routes.hang());

        previousConfig = System.getProperty(ConfigLocator.PROPERTY);
        config = Deployments.writeConfig(config(null));
        EmbeddedTomcat.useConfig(config);
        tomcat = EmbeddedTomcat.start(Integer.getInteger("dashboard.port", 0));
        tomcat.host().getPipeline().addValve(requests);
        smallBufferPort = tomcat.addConnector(Map.of("socket.appWriteBufSize", "4096"));
        tunedPort = tomcat.addConnector(Map.of("socket.appWriteBufSize", "131072", "socket.directBuffer", "true"));
        war = EmbeddedTomcat.war();
        context = tomcat.deploy(war, CONTEXT);
        page = tomcat.base() + CONTEXT.substring(1) + "/";
        api = new ServerApi(URI.create(page).toURL());

        profile = Files.createTempDirectory("dashboard-chromium");
        ChromeOptions options = new ChromeOptions();
        // Both paths given, so Selenium Manager never runs and nothing is downloaded.
        options.setBinary(CHROMIUM);
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                "--user-data-dir=" + profile, "--window-size=1280,900", "--force-device-scale-factor=1");
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER).usingAnyFreePort().build();
        browser = new ChromeDriver(service, options);
        browser.manage().timeouts().pageLoadTimeout(WAIT);
        screenshots = Path.of(System.getProperty("mjpeg.war", "target/mjpeg-server.war")).toAbsolutePath().getParent().resolve("screenshots");
        Files.createDirectories(screenshots);
    }

    @AfterAll
    static void stop() throws Exception {
        if (browser != null) {
            browser.quit();
        }
        if (tomcat != null) {
            tomcat.close();
        }
        if (camera != null) {
            camera.close();
        }
        if (previousConfig == null) {
            System.clearProperty(ConfigLocator.PROPERTY);
        } else {
            System.setProperty(ConfigLocator.PROPERTY, previousConfig);
        }
        if (profile != null) {
            try (var paths = Files.walk(profile)) {
                paths.sorted(java.util.Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
            }
        }
    }

    @Test
    @Order(1)
    void everyPreviewShowsAPictureWithinSecondsAndKeepsChanging() throws Exception {
        long asked = System.nanoTime();
        open(page);
        assertEquals(IDS, browser.findElements(By.cssSelector("article.card")).stream().map(card -> card.getDomAttribute("data-id")).toList());
        long shown = System.nanoTime();
        wait(FIRST_PICTURES).until(b -> picturesOf(PICTURED).values().stream().allMatch(n -> n >= 1));
        System.out.printf(Locale.ROOT, "all %d previews showed a picture %d ms after the cards did (%d ms after the page was asked for)%n",
                PICTURED.size(), (System.nanoTime() - shown) / 1_000_000, (System.nanoTime() - asked) / 1_000_000);
        for (String id : PATTERNS) {
            assertEquals(320, naturalWidth(card(id).findElement(By.cssSelector(".preview img"))), id);
        }

        // Each test pattern changes twice a second, and its preview asks about once a second: at least one new
        // picture a second, with one second's allowance for where the window falls in each preview's rhythm. The
        // best of three windows, so that a moment when the machine is busy with other work does not decide.
        List<String> windows = new ArrayList<>();
        boolean everyPreviewKeptUp = false;
        for (int attempt = 0; attempt < 3 && !everyPreviewKeptUp; attempt++) {
            Map<String, Integer> before = picturesOf(PATTERNS);
            long start = System.nanoTime();
            Await.pause(6_000);
            Map<String, Integer> after = picturesOf(PATTERNS);
            double seconds = (System.nanoTime() - start) / 1e9;
            int fewest = PATTERNS.stream().mapToInt(id -> after.get(id) - before.get(id)).min().orElseThrow();
            windows.add(String.format(Locale.ROOT, "%d in %.1f s", fewest, seconds));
            everyPreviewKeptUp = fewest >= seconds - 1;
        }
        System.out.println("fewest new pictures of a preview per window: " + windows + ", load average " + loadAverage());
        assertTrue(everyPreviewKeptUp, "a preview showed fewer than one new picture a second: " + windows);

        Files.write(screenshots.resolve("dashboard.png"), browser.getScreenshotAs(OutputType.BYTES));
    }

    @Test
    @Order(2)
    void stateColourAndLastErrorOfEveryCardAndErrorTextsStayText() throws IOException {
        open(page);
        WebDriverWait wait = wait(WAIT);
        wait.until(b -> "fresh".equals(text("cam-01", ".state")));
        assertTrue(card("cam-01").getDomAttribute("class").contains("fresh"));
        // The camera that broke went stale: its card is red, says why, and shows the stale image, at the preview's 320 wide.
        wait.until(b -> "stale".equals(text("stale", ".state")));
        assertTrue(card("stale").getDomAttribute("class").contains("stale"));
        assertTrue(text("stale", ".last-error").startsWith("last error: HTTP 500"), text("stale", ".last-error"));
        wait.until(b -> naturalWidth(card("stale").findElement(By.cssSelector(".preview img"))) == 320);
        // Failing from the start, never fetched: no picture, and a plain word why.
        wait.until(b -> "failing".equals(text("failing", ".state")));
        assertTrue(text("failing", ".last-error").startsWith("last error: HTTP 500"), text("failing", ".last-error"));
        for (String id : List.of("failing", "waiting", "html")) {
            assertEquals("no picture yet", text(id, ".no-picture"), id);
            assertEquals("never", text(id, ".updated"), id);
            assertEquals(0, pictures(id), id);
        }
        // An error text that is HTML is shown as text, and nothing of it runs.
        wait.until(b -> text("html", ".last-error").equals("last error: file not found: " + HTML_FILE_NAME));
        assertEquals(Boolean.TRUE, browser.executeScript("return window.injected === undefined"));
        assertEquals(0L, browser.executeScript("return document.querySelectorAll('img[src=\"x\"]').length"));
        // Every card that has had a picture goes on showing one, across the list's refreshes, whatever its state.
        Await.pause(2_500);
        for (String id : PICTURED) {
            assertTrue(card(id).findElement(By.cssSelector(".preview img")).isDisplayed(), id);
            assertFalse(card(id).findElement(By.cssSelector(".no-picture")).isDisplayed(), id);
        }
        assertTrue(browser.findElement(By.id("summary")).getText().matches("24 image\\(s\\), [0-9]+ fresh"),
                browser.findElement(By.id("summary")).getText());
        assertTrue(text("cam-01", ".fetch").matches("[0-9.]+ fps \\([0-9]+ ok, 0 failed\\)"), text("cam-01", ".fetch"));
        // Relative links, so that the page works under any context path.
        assertEquals("images/a-b_c", card("a-b_c").findElement(By.cssSelector("a.snapshot")).getDomAttribute("href"));
        assertEquals("images/a-b_c/stream", card("a-b_c").findElement(By.cssSelector("a.stream")).getDomAttribute("href"));
        assertFalse(browser.findElement(By.id("banner")).isDisplayed());
        // The last cards are the ones with something to say: the README's screenshot.
        Dimension desktop = browser.manage().window().getSize();
        browser.manage().window().setSize(new Dimension(1280, 1000));
        try {
            browser.executeScript("window.scrollTo(0, document.body.scrollHeight)");
            Files.write(screenshots.resolve("dashboard-states.png"), browser.getScreenshotAs(OutputType.BYTES));
        } finally {
            browser.manage().window().setSize(desktop);
        }
    }

    @Test
    @Order(3)
    void previewsDoNotMakeTheCamerasWorkHarder() {
        open(page);
        wait(FIRST_PICTURES).until(b -> pictures("slow") >= 1 && pictures("ondemand") >= 1);
        int slowBefore = camera.requests("/slow.jpg");
        int onDemandBefore = camera.requests("/ondemand.jpg");
        long start = System.nanoTime();
        Await.pause(8_000);
        double seconds = (System.nanoTime() - start) / 1e9;
        int slow = camera.requests("/slow.jpg") - slowBefore;
        int onDemand = camera.requests("/ondemand.jpg") - onDemandBefore;
        System.out.printf(Locale.ROOT, "camera requests in %.1f s with the dashboard open: slow (fetch_minimum_fps 0.5) %d, "
                + "ondemand (fetch_minimum_fps 0) %d%n", seconds, slow, onDemand);
        assertAll(
                // Its own rate, 0.5 a second, although its preview asks every second.
                () -> assertTrue(slow <= seconds * 0.5 + 1, "slow was fetched " + slow + " times in " + seconds + " s"),
                // Woken by the previews, at the one frame a second they need and no more.
                () -> assertTrue(onDemand >= seconds * 0.5 && onDemand <= seconds + 1,
                        "ondemand was fetched " + onDemand + " times in " + seconds + " s"));
    }

    @Test
    @Order(4)
    void cardFiguresFollowAStreamOpenedElsewhere() throws IOException {
        open(page);
        try (MjpegReader elsewhere = MjpegReader.open(api.url("images/cam-01/stream"))) {
            elsewhere.next();
            wait(WAIT).until(b -> "1".equals(text("cam-01", ".viewers")));
        }
        wait(WAIT).until(b -> "0".equals(text("cam-01", ".viewers")));
    }

    @Test
    @Order(5)
    void theLargeViewPlaysAtTheStreamRateAndItsStreamEndsWhenClosed() throws Exception {
        open(page);
        card("cam-02").findElement(By.cssSelector(".preview")).click();
        WebElement viewer = browser.findElement(By.id("viewer"));
        assertTrue(viewer.isDisplayed());
        assertEquals("cam-02", browser.findElement(By.id("viewer-id")).getText());
        WebElement large = browser.findElement(By.id("viewer-img"));
        wait(WAIT).until(b -> naturalWidth(large) == 320);
        JsonNode stream = api.awaitImage("cam-02", image -> image.get("streams").size() == 1, WAIT, "has the large view's stream");
        assertEquals(10, stream.get("streams").get(0).get("stream_fps").asInt(), stream.toString());
        long sentBefore = stream.get("streams").get(0).get("frames_sent").asLong();
        BufferedImage first = screenshot(large);
        Thread.sleep(2_000);
        long sent = api.image("cam-02").get("streams").get(0).get("frames_sent").asLong() - sentBefore;
        assertTrue(sent >= 10, "the large view got " + sent + " frames in 2 s at stream_fps 10");
        assertTrue(differingPixels(first, screenshot(large)) > 0, "the large view did not change in 2 s");

        // The URLs and snippets to copy, absolute and for this image.
        String streamUrl = page + "images/cam-02/stream";
        assertEquals(streamUrl, browser.findElement(By.id("copy-stream")).getDomProperty("value"));
        assertEquals(page + "images/cam-02", browser.findElement(By.id("copy-snapshot")).getDomProperty("value"));
        assertEquals("streams:\n  cam-02: " + streamUrl, browser.findElement(By.id("copy-go2rtc")).getText());
        assertTrue(browser.findElement(By.id("copy-ha")).getText().contains("MJPEG URL: " + streamUrl), browser.findElement(By.id("copy-ha")).getText());
        WebElement copy = browser.findElement(By.cssSelector("[data-copy=copy-stream]"));
        copy.click();
        wait(WAIT).until(b -> "copied".equals(copy.getText()));
        Files.write(screenshots.resolve("dashboard-large.png"), browser.getScreenshotAs(OutputType.BYTES));

        browser.findElement(By.id("viewer-close")).click();
        assertFalse(viewer.isDisplayed());
        api.awaitImage("cam-02", image -> image.get("streams").isEmpty(), Duration.ofSeconds(5), "ends the stream of the closed view");
    }

    @Test
    @Order(6)
    void keepsWorkingWhileAnotherTabHoldsSixStreams() {
        open(page);
        String dashboard = browser.getWindowHandle();
        List<String> watched = PATTERNS.subList(2, 8);
        browser.switchTo().newWindow(WindowType.WINDOW);
        String other = browser.getWindowHandle();
        try {
            browser.get(page + "health");
            for (String id : watched) {
                browser.executeScript("const img = document.createElement('img'); img.src = arguments[0]; document.body.append(img);",
                        page + "images/" + id + "/stream");
            }
            wait(WAIT).until(b -> watched.stream().allMatch(id -> api.image(id).get("streams").size() == 1));
            browser.switchTo().window(dashboard);
            assertEquals("visible", browser.executeScript("return document.visibilityState"));

            // The other tab's six streams show on the cards, and the previews go on.
            wait(WAIT).until(b -> watched.stream().allMatch(id -> "1".equals(text(id, ".viewers"))));
            Map<String, Integer> before = picturesOf(PATTERNS);
            Await.pause(4_000);
            Map<String, Integer> after = picturesOf(PATTERNS);
            PATTERNS.forEach(id -> assertTrue(after.get(id) - before.get(id) >= 3, id + ": " + before.get(id) + " -> " + after.get(id)));
        } finally {
            browser.switchTo().window(other).close();
            browser.switchTo().window(dashboard);
        }
        wait(WAIT).until(b -> watched.stream().allMatch(id -> "0".equals(text(id, ".viewers"))));
    }

    @Test
    @Order(7)
    void aHiddenTabAsksForNothing() {
        open(page);
        wait(FIRST_PICTURES).until(b -> pictures("cam-01") >= 1);
        String dashboard = browser.getWindowHandle();
        browser.switchTo().newWindow(WindowType.TAB);
        try {
            Await.pause(1_000);
            Map<Kind, Long> before = requests.reading();
            Await.pause(4_000);
            Map<Kind, Long> after = requests.reading();
            assertEquals(before.get(Kind.LIST), after.get(Kind.LIST), "list requests from a hidden tab");
            assertEquals(before.get(Kind.SNAPSHOT), after.get(Kind.SNAPSHOT), "preview requests from a hidden tab");
        } finally {
            browser.close();
            browser.switchTo().window(dashboard);
        }
        int shown = pictures("cam-01");
        wait(WAIT).until(b -> pictures("cam-01") > shown);
    }

    @Test
    @Order(8)
    void asksPlainlyForTheAccessTokenAndWorksWithIt() throws Exception {
        open(page);
        ConfigFile.rewrite(config, config(TOKEN));
        try {
            wait(WAIT).until(b -> browser.findElement(By.id("login")).isDisplayed());
            assertEquals("This server wants an access token.", browser.findElement(By.id("login-reason")).getText());
            browser.get(page + "?token=wrong");
            wait(WAIT).until(b -> browser.findElement(By.id("login")).isDisplayed());
            assertEquals("The access token is wrong.", browser.findElement(By.id("login-reason")).getText());
            Files.write(screenshots.resolve("dashboard-401.png"), browser.getScreenshotAs(OutputType.BYTES));

            browser.findElement(By.id("token")).sendKeys(TOKEN);
            browser.findElement(By.cssSelector("#login button")).click();
            wait(WAIT).until(b -> !browser.findElement(By.id("login")).isDisplayed());
            int shown = pictures("cam-01");
            wait(WAIT).until(b -> pictures("cam-01") > shown);
            assertTrue(browser.getCurrentUrl().endsWith("?token=" + TOKEN), browser.getCurrentUrl());
            assertEquals("images/cam-01/stream?token=" + TOKEN, card("cam-01").findElement(By.cssSelector("a.stream")).getDomAttribute("href"));
            card("cam-01").findElement(By.cssSelector(".preview")).click();
            wait(WAIT).until(b -> naturalWidth(browser.findElement(By.id("viewer-img"))) == 320);
            assertEquals("streams:\n  cam-01: \"" + page + "images/cam-01/stream#header=Authorization: Bearer " + TOKEN + "\"",
                    browser.findElement(By.id("copy-go2rtc")).getText());
            browser.findElement(By.id("viewer-close")).click();
        } finally {
            ConfigFile.rewrite(config, config(null));
            Await.until(WAIT, () -> api.getText("images").statusCode() == 200, () -> "the config without a token did not apply");
        }
    }

    @Test
    @Order(9)
    void comesBackByItselfAfterTheServerRestarts() throws Exception {
        open(page);
        wait(FIRST_PICTURES).until(b -> pictures("cam-01") >= 1);
        tomcat.undeploy(context);
        WebElement banner = browser.findElement(By.id("banner"));
        wait(WAIT).until(b -> banner.isDisplayed());
        assertTrue(banner.getText().endsWith("reconnecting…"), banner.getText());
        Files.write(screenshots.resolve("dashboard-reconnecting.png"), browser.getScreenshotAs(OutputType.BYTES));
        Await.pause(3_000);
        context = tomcat.deploy(war, CONTEXT);
        wait(WAIT).until(b -> !banner.isDisplayed());
        int shown = pictures("cam-01");
        wait(WAIT).until(b -> pictures("cam-01") > shown);
        wait(WAIT).until(b -> "fresh".equals(text("cam-01", ".state")));
    }

    @Test
    @Order(10)
    void connectorAdviceShowsAsTextWhereFramesDoNotFitTheBufferUntilDismissed() throws Exception {
        // The test patterns' frames, about 5 KB, do not fit a 4 KB socket write buffer.
        String small = pageOn(smallBufferPort);
        new ServerApi(URI.create(small).toURL()).awaitImage("cam-01",
                image -> !image.path("connector_advice").isNull(), WAIT, "has connector advice on the small-buffer connector");
        open(small);
        WebElement notice = browser.findElement(By.id("advice"));
        wait(WAIT).until(b -> notice.isDisplayed());
        String text = browser.findElement(By.id("advice-text")).getText();
        String scope = browser.findElement(By.id("advice-scope")).getText();
        assertAll(
                () -> assertTrue(text.startsWith("The connector on port " + smallBufferPort + " has a socket write buffer of 4 KB"), text),
                () -> assertTrue(text.contains("socket.appWriteBufSize=\"131072\" socket.directBuffer=\"true\""), text),
                // The advice names an element, <Connector>: set as HTML it would vanish from the text.
                () -> assertTrue(text.contains("on that <Connector> sends"), "the advice was not set as text: " + text),
                () -> assertTrue(text.contains("times the CPU per frame"), "names what the change saves: " + text),
                () -> assertTrue(scope.matches("\\(Frames of \\d+ of 24 images: cam-01, cam-02, cam-03, cam-04, cam-05 and \\d+ more\\.\\)"), scope));
        Files.write(screenshots.resolve("dashboard-advice.png"), browser.getScreenshotAs(OutputType.BYTES));

        // Dismissed, it stays away across the list's refreshes and a reload of the page.
        browser.findElement(By.id("advice-close")).click();
        assertFalse(notice.isDisplayed());
        Await.pause(2_500);
        assertFalse(browser.findElement(By.id("advice")).isDisplayed());
        open(small);
        wait(WAIT).until(b -> browser.findElement(By.id("summary")).getText().startsWith("24 image(s)"));
        assertFalse(browser.findElement(By.id("advice")).isDisplayed());

        // Through the tuned connector every frame fits its buffer: no advice, on /images or on the page.
        String tuned = pageOn(tunedPort);
        ServerApi tunedApi = new ServerApi(URI.create(tuned).toURL());
        tunedApi.awaitImage("cam-01", image -> image.get("last_updated") != null && !image.get("last_updated").isNull(), WAIT, "has a frame");
        assertTrue(tunedApi.image("cam-01").path("connector_advice").isNull(), tunedApi.image("cam-01").toString());
        open(tuned);
        wait(WAIT).until(b -> browser.findElement(By.id("summary")).getText().startsWith("24 image(s)"));
        Await.pause(2_500);
        assertFalse(browser.findElement(By.id("advice")).isDisplayed());
    }

    @Test
    @Order(11)
    void readableOnAPhone() throws Exception {
        Dimension desktop = browser.manage().window().getSize();
        browser.manage().window().setSize(new Dimension(390, 844));
        try {
            open(page);
            wait(FIRST_PICTURES).until(b -> pictures("cam-01") >= 1);
            long viewport = (Long) browser.executeScript("return document.documentElement.clientWidth");
            assertEquals(Boolean.TRUE, browser.executeScript("return document.documentElement.scrollWidth <= document.documentElement.clientWidth"),
                    "the page scrolls sideways");
            // One card per row, as wide as the screen allows.
            WebElement first = card("cam-01");
            WebElement second = card("cam-02");
            assertTrue(second.getRect().getY() > first.getRect().getY(), "cards side by side on a phone");
            assertTrue(first.getRect().getWidth() >= viewport * 0.8, "card " + first.getRect().getWidth() + " px of " + viewport);
            Files.write(screenshots.resolve("dashboard-phone.png"), browser.getScreenshotAs(OutputType.BYTES));
        } finally {
            browser.manage().window().setSize(desktop);
        }
    }

    /**
     * Opt-in ({@code -Ddashboard.soakSeconds=N}): what the open dashboard costs, measured side by side with the same
     * server while no page is open, and whether the page and the server keep their memory over the soak.
     */
    @Test
    @Order(12)
    void soak() {
        int soakSeconds = Integer.getInteger("dashboard.soakSeconds", 0);
        assumeTrue(soakSeconds > 0, "-Ddashboard.soakSeconds=N runs the soak");
        int window = Integer.getInteger("dashboard.windowSeconds", 20);
        browser.get("about:blank");
        Await.pause(3_000);
        Costs closed = Costs.measure(window);
        open(page);
        Await.pause(3_000);
        Costs opened = Costs.measure(window);
        System.out.println("what the dashboard costs (24 images, 20 with a picture), " + window + " s each, load average "
                + loadAverage() + ":");
        System.out.println(Costs.HEADER);
        System.out.println(closed.row("no page open"));
        System.out.println(opened.row("dashboard open"));

        Map<String, Double> start = pageMemory();
        long serverStart = ResourceProbe.heapAfterGc();
        long deadline = System.nanoTime() + soakSeconds * 1_000_000_000L;
        List<Map<String, Double>> samples = new ArrayList<>();
        while (System.nanoTime() < deadline) {
            Await.pause(Math.min(60_000, Math.max(1, (deadline - System.nanoTime()) / 1_000_000)));
            samples.add(pageMemory());
            System.out.printf(Locale.ROOT, "minute %d: page %s, server heap after GC %.1f MB%n", samples.size(),
                    samples.get(samples.size() - 1), ResourceProbe.heapAfterGc() / 1048576.0);
        }
        Map<String, Double> end = pageMemory();
        long serverEnd = ResourceProbe.heapAfterGc();
        System.out.printf(Locale.ROOT, "soak of %d s: page JS heap %.0f -> %.0f KB, DOM nodes %.0f -> %.0f, listeners %.0f -> %.0f; "
                + "server heap after GC %.1f -> %.1f MB; pictures shown by cam-01 %d%n", soakSeconds,
                start.get("JSHeapUsedSize") / 1024, end.get("JSHeapUsedSize") / 1024, start.get("Nodes"), end.get("Nodes"),
                start.get("JSEventListeners"), end.get("JSEventListeners"), serverStart / 1048576.0, serverEnd / 1048576.0, pictures("cam-01"));
        assertAll(
                () -> assertTrue(end.get("JSHeapUsedSize") <= start.get("JSHeapUsedSize") + 1024 * 1024, "the page's JS heap grew"),
                () -> assertTrue(end.get("Nodes") <= start.get("Nodes") + 50, "the page's DOM grew"),
                () -> assertTrue(end.get("JSEventListeners") <= start.get("JSEventListeners"), "the page's listeners grew"),
                () -> assertTrue(serverEnd <= serverStart + 10L * 1024 * 1024, "the server's heap grew"));
    }

    /** Requests, CPU and camera fetches over one window of seconds. */
    private record Costs(double seconds, Map<Kind, Long> counts, double cpuPercent, double slowFetches, double onDemandFetches) {

        static final String HEADER = String.format(Locale.ROOT, "%-16s %8s %8s %8s %8s %9s %14s %14s", "",
                "list/s", "snap/s", "stream/s", "other/s", "CPU %", "slow fetch/s", "ondemand f/s");

        static Costs measure(int seconds) {
            Map<Kind, Long> before = requests.reading();
            long cpuBefore = processCpuNanos();
            int slow = camera.requests("/slow.jpg");
            int onDemand = camera.requests("/ondemand.jpg");
            long start = System.nanoTime();
            Await.pause(seconds * 1000L);
            double elapsed = (System.nanoTime() - start) / 1e9;
            Map<Kind, Long> after = requests.reading();
            Map<Kind, Long> delta = new EnumMap<>(Kind.class);
            after.forEach((kind, n) -> delta.put(kind, n - before.get(kind)));
            return new Costs(elapsed, delta, (processCpuNanos() - cpuBefore) / 1e7 / elapsed,
                    (camera.requests("/slow.jpg") - slow) / elapsed, (camera.requests("/ondemand.jpg") - onDemand) / elapsed);
        }

        String row(String what) {
            return String.format(Locale.ROOT, "%-16s %8.2f %8.2f %8.2f %8.2f %9.1f %14.2f %14.2f", what,
                    counts.get(Kind.LIST) / seconds, counts.get(Kind.SNAPSHOT) / seconds, counts.get(Kind.STREAM) / seconds,
                    counts.get(Kind.OTHER) / seconds, cpuPercent, slowFetches, onDemandFetches);
        }
    }

    /** CPU time of this JVM: the server, Tomcat and the loopback cameras (the browser is a process of its own). */
    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (IOException e) {
            return "unknown";
        }
    }

    /** The page's JS heap, DOM nodes and listeners after a garbage collection, from Chromium's DevTools protocol. */
    @SuppressWarnings("unchecked")
    private static Map<String, Double> pageMemory() {
        browser.executeCdpCommand("HeapProfiler.collectGarbage", Map.of());
        browser.executeCdpCommand("Performance.enable", Map.of());
        Map<String, Object> result = browser.executeCdpCommand("Performance.getMetrics", Map.of());
        Map<String, Double> metrics = new LinkedHashMap<>();
        for (Map<String, Object> metric : (List<Map<String, Object>>) result.get("metrics")) {
            String name = (String) metric.get("name");
            if (List.of("JSHeapUsedSize", "Nodes", "JSEventListeners").contains(name)) {
                metrics.put(name, ((Number) metric.get("value")).doubleValue());
            }
        }
        return metrics;
    }

    private static void open(String url) {
        browser.get(url);
        wait(WAIT).until(b -> b.findElements(By.cssSelector("article.card")).size() == IDS.size());
    }

    /** The dashboard through the connector on {@code port}. */
    private static String pageOn(int port) {
        return "http://127.0.0.1:" + port + CONTEXT + "/";
    }

    private static WebDriverWait wait(Duration within) {
        return new WebDriverWait(browser, within, Duration.ofMillis(100));
    }

    private static WebElement card(String id) {
        // Ids are [a-zA-Z0-9_-]: safe in a selector as they are.
        return browser.findElement(By.cssSelector("article.card[data-id='" + id + "']"));
    }

    private static String text(String id, String selector) {
        return card(id).findElement(By.cssSelector(selector)).getText();
    }

    /** How many new pictures the card's preview has shown since the page loaded. */
    private static int pictures(String id) {
        String count = card(id).getDomAttribute("data-pictures");
        return count == null ? 0 : Integer.parseInt(count);
    }

    /** {@link #pictures} of several cards read in one step, so that the reading itself takes no time to speak of. */
    @SuppressWarnings("unchecked")
    private static Map<String, Integer> picturesOf(List<String> ids) {
        Map<String, Object> read = (Map<String, Object>) browser.executeScript(
                "const counts = {};"
                + "for (const card of document.querySelectorAll('article.card')) counts[card.dataset.id] = Number(card.dataset.pictures || 0);"
                + "return counts;");
        Map<String, Integer> counts = new LinkedHashMap<>();
        ids.forEach(id -> counts.put(id, ((Number) read.get(id)).intValue()));
        return counts;
    }

    private static long naturalWidth(WebElement image) {
        Object width = browser.executeScript("return arguments[0].naturalWidth", image);
        return width instanceof Number number ? number.longValue() : 0;
    }

    private static BufferedImage screenshot(WebElement element) throws IOException {
        return ImageIO.read(new ByteArrayInputStream(element.getScreenshotAs(OutputType.BYTES)));
    }

    private static int differingPixels(BufferedImage a, BufferedImage b) {
        if (a.getWidth() != b.getWidth() || a.getHeight() != b.getHeight()) {
            return Integer.MAX_VALUE;
        }
        int differing = 0;
        for (int y = 0; y < a.getHeight(); y++) {
            for (int x = 0; x < a.getWidth(); x++) {
                if (a.getRGB(x, y) != b.getRGB(x, y)) {
                    differing++;
                }
            }
        }
        return differing;
    }

    private static List<byte[]> frames(String label) {
        return List.of(TestImages.jpeg(320, 180, label + " 1"), TestImages.jpeg(320, 180, label + " 2"), TestImages.jpeg(320, 180, label + " 3"));
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return List.copyOf(all);
    }
}

package org.mjpegserver.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.File;
import java.io.IOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import javax.imageio.ImageIO;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.mjpegserver.testing.Deployments;
import org.mjpegserver.testing.FakeCamera;
import org.mjpegserver.testing.Route;
import org.mjpegserver.testing.Routes;
import org.mjpegserver.testing.TestImages;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard at / in a real browser (the system's headless Chromium): a card per image, the state and last
 * error of a failing camera, and a live preview whose pixels change as frames arrive. Leaves a screenshot in
 * target/screenshots/dashboard.png. Skipped where Chromium or its driver is not installed.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
final class DashboardIT {

    private static final File CHROMIUM = new File("/usr/bin/chromium");
    private static final File CHROMEDRIVER = new File("/usr/bin/chromedriver");
    private static final Duration WAIT = Duration.ofSeconds(20);

    private static FakeCamera camera;
    private static ChromeDriver browser;
    private static Path profile;

    @ArquillianResource
    private URL base;

    @Deployment(testable = false)
    static WebArchive deployment() {
        camera = FakeCamera.http();
        // Two good frames, then the camera breaks for good: the card has a picture and then an error to show.
        AtomicInteger requests = new AtomicInteger();
        Route good = Routes.jpeg(TestImages.jpeg(320, 240, "door"));
        Route broken = Routes.status(500);
        camera.serve("/door.jpg", exchange -> (requests.incrementAndGet() <= 2 ? good : broken).handle(exchange));
        return Deployments.war(String.join("\n",
                "images:",
                "  pattern:",
                "    url: 'testpattern:320x240'",
                "    stream_fps: 10",
                "  door:",
                "    url: '" + camera.url("/door.jpg") + "'",
                "    fetch_minimum_fps: 5",
                "    image_timeout_seconds: 1",
                "    image_timeout_behavior: stale_image",
                ""));
    }

    @BeforeAll
    static void startBrowser() throws IOException {
        assumeTrue(CHROMIUM.canExecute() && CHROMEDRIVER.canExecute(), "Chromium or chromedriver is not installed");
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
    }

    @AfterAll
    static void stopBrowser() throws IOException {
        if (browser != null) {
            browser.quit();
        }
        if (camera != null) {
            camera.close();
        }
        if (profile != null) {
            try (var paths = Files.walk(profile)) {
                paths.sorted(java.util.Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
            }
        }
    }

    @Test
    void showsACardPerImageWithStateErrorAndALivePreview() throws Exception {
        browser.get(base.toString());
        WebDriverWait wait = new WebDriverWait(browser, WAIT, Duration.ofMillis(100));
        wait.until(b -> b.findElements(By.cssSelector("article.card")).size() == 2);
        assertEquals(List.of("pattern", "door"), browser.findElements(By.cssSelector("article.card")).stream()
                .map(card -> card.getAttribute("data-id")).toList());

        WebElement pattern = card("pattern");
        WebElement door = card("door");
        assertEquals("pattern", pattern.findElement(By.cssSelector(".id")).getText());
        wait.until(b -> "fresh".equals(text(pattern, ".state")));
        // The broken camera goes through failing to stale after its 1 s timeout; the last error is on its card.
        wait.until(b -> "stale".equals(text(door, ".state")));
        wait.until(b -> text(door, ".last-error").startsWith("last error:"));
        assertTrue(text(door, ".last-error").contains("500"), text(door, ".last-error"));
        assertEquals("", text(pattern, ".last-error"));
        assertEquals("2 image(s), 1 fresh", browser.findElement(By.id("summary")).getText());
        assertFalse(browser.findElement(By.id("error")).isDisplayed(), "the page reports an error loading the list");
        assertTrue(pattern.findElement(By.cssSelector(".fetch")).getText().matches("[0-9.]+ fps \\([0-9]+ ok, 0 failed\\)"),
                pattern.findElement(By.cssSelector(".fetch")).getText());
        // Relative links, so that the page works under any context path.
        assertEquals("images/door", door.findElement(By.cssSelector("a.snapshot")).getDomAttribute("href"));
        assertEquals("images/door/stream", door.findElement(By.cssSelector("a.stream")).getDomAttribute("href"));

        // Both previews show a picture: the pattern's own, and for the door by now the built-in 640x360 stale image.
        WebElement preview = pattern.findElement(By.cssSelector(".preview img"));
        wait.until(b -> naturalWidth(preview) == 320);
        wait.until(b -> naturalWidth(door.findElement(By.cssSelector(".preview img"))) == 640);
        // Each preview is an open stream, which the list shows as one viewer.
        wait.until(b -> "1".equals(text(pattern, ".viewers")));

        // The test pattern moves with every frame: two element screenshots a moment apart must differ.
        BufferedImage first = ImageIO.read(new ByteArrayInputStream(preview.getScreenshotAs(OutputType.BYTES)));
        long deadline = System.nanoTime() + WAIT.toNanos();
        int changed = 0;
        while (changed == 0 && System.nanoTime() < deadline) {
            Thread.sleep(500);
            BufferedImage next = ImageIO.read(new ByteArrayInputStream(preview.getScreenshotAs(OutputType.BYTES)));
            changed = differingPixels(first, next);
        }
        assertTrue(changed > 0, "the preview did not change within " + WAIT.toSeconds() + " s");

        Path screenshots = Path.of(System.getProperty("mjpeg.war", "target/mjpeg-server.war")).toAbsolutePath().getParent().resolve("screenshots");
        Files.createDirectories(screenshots);
        Files.write(screenshots.resolve("dashboard.png"), browser.getScreenshotAs(OutputType.BYTES));
    }

    private WebElement card(String id) {
        return browser.findElement(By.cssSelector("article.card[data-id='" + id + "']"));
    }

    private static String text(WebElement card, String selector) {
        return card.findElement(By.cssSelector(selector)).getText();
    }

    private long naturalWidth(WebElement image) {
        Object width = browser.executeScript("return arguments[0].naturalWidth", image);
        return width instanceof Number number ? number.longValue() : 0;
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
}

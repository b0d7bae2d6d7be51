package org.mjpegserver.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

final class RedactionTest {

    private static final String PASSWORD = "Pw-8f3a91";
    private static final String TOKEN = "Tk-b27c44";
    private static final String ACCESS_TOKEN = "At-5d0e19";
    private static final List<String> SECRETS = List.of(PASSWORD, TOKEN, ACCESS_TOKEN);

    @TempDir
    Path dir;

    @Test
    void urlMasksUserInfo() {
        assertEquals("http://***@cam.local/snap.jpg", Redaction.url(URI.create("http://admin:secret@cam.local/snap.jpg")));
        assertEquals("https://***@cam.local:8443/x?channel=1",
                Redaction.url(URI.create("https://admin:p%40ss@cam.local:8443/x?channel=1")));
        assertEquals("http://cam.local/snap.jpg", Redaction.url(URI.create("http://cam.local/snap.jpg")));
        assertNull(Redaction.url(null));
    }

    @Test
    void fullyKioskPasswordIsMaskedAndOtherParametersKept() {
        assertEquals("http://192.168.1.30:2323/?cmd=getCamshot&password=***",
                Redaction.url(URI.create("http://192.168.1.30:2323/?cmd=getCamshot&password=x")));
        assertEquals("http://tablet:2323/?password=***&cmd=getCamshot&type=jpg",
                Redaction.text("http://tablet:2323/?password=1234&cmd=getCamshot&type=jpg"));
    }

    @ParameterizedTest
    @CsvSource({
        "password", "pass", "pwd", "token", "key", "secret",
        "PASSWORD", "user_pass", "access_token", "apikey", "api_key", "client_secret", "passwd"})
    void secretLookingParametersAreMasked(String name) {
        String url = "http://cam.local/snap.cgi?chn=1&" + name + "=" + PASSWORD + "&size=big#top";
        assertEquals("http://cam.local/snap.cgi?chn=1&" + name + "=***&size=big#top", Redaction.text(url));
    }

    @Test
    void ordinaryParametersAreLeftAlone() {
        String url = "http://cam.local/cgi-bin/snapshot.cgi?channel=1&resolution=640x480&user=admin&cmd=getCamshot";
        assertEquals(url, Redaction.text(url));
        assertEquals(url, Redaction.url(URI.create(url)));
    }

    @Test
    void textMasksUrlsInsideOtherText() {
        String line = "GET http://admin:" + PASSWORD + "@cam.local/a.jpg?token=" + TOKEN + " failed: 401 Unauthorized";
        String masked = Redaction.text(line);
        // A secret value runs to the next '&', ';' or '#' (a raw space may be part of it), so the tail may go too.
        assertTrue(masked.startsWith("GET http://***@cam.local/a.jpg?token=***"), masked);
        assertNoSecret(masked);
        assertNull(Redaction.text(null));
        assertEquals("nothing secret here", Redaction.text("nothing secret here"));
    }

    @Test
    void userInfoWithAnUnescapedAtSignIsMaskedWhole() {
        // Users paste "admin:p@ss" unescaped; everything up to the host's '@' is the secret.
        String masked = Redaction.text("http://admin:" + PASSWORD + "@x@cam.local/snap.jpg");
        assertEquals("http://***@cam.local/snap.jpg", masked);
    }

    @Test
    void describeNeverContainsASecret() throws Exception {
        Path file = dir.resolve("config.yaml");
        Files.writeString(file, """
                mjpeg-server:
                  access_token: %s
                images:
                  basic:
                    url: http://admin:%s@cam.local/snap.jpg
                  digest:
                    url: http://cam.local/ISAPI/Streaming/channels/101/picture
                    auth_type: digest
                    username: admin
                    password: %s
                  bearer:
                    url: https://cloud.example/snap.jpg
                    token: %s
                  kiosk:
                    url: http://tablet:2323/?cmd=getCamshot&password=%s
                    access_token: %s
                """.formatted(ACCESS_TOKEN, PASSWORD, PASSWORD, TOKEN, PASSWORD, ACCESS_TOKEN));
        ServerConfig config = ConfigLoader.load(file);
        assertEquals(4, config.images().size());
        for (ImageConfig image : config.images().values()) {
            Map<String, Object> described = Redaction.describe(image);
            assertNoSecret(described.toString());
            assertNoSecret(image.toString());
            assertNoSecret(image.settings().toString());
            assertNoSecret(image.credentials().toString());
            assertEquals(Redaction.MASK, described.get("access_token"), image.id());
        }
        assertNoSecret(config.toString());

        Map<String, Object> digest = Redaction.describe(config.images().get("digest"));
        assertEquals("digest", digest.get("auth_type"));
        assertEquals("admin", digest.get("username"), "the username is not a secret");
        assertEquals(Redaction.MASK, digest.get("password"));
        assertEquals(Redaction.MASK, Redaction.describe(config.images().get("bearer")).get("token"));
        assertEquals("http://tablet:2323/?cmd=getCamshot&password=***",
                Redaction.describe(config.images().get("kiosk")).get("url"));
        // The secrets themselves survive in the config, where the pollers need them.
        assertEquals(PASSWORD, config.images().get("basic").credentials().password());
        assertEquals(TOKEN, config.images().get("bearer").credentials().token());
    }

    @Test
    void describeUsesTheConfigKeys() throws Exception {
        Path file = dir.resolve("config.yaml");
        Files.writeString(file, """
                images:
                  cam:
                    url: http://cam.local/snap.jpg
                    fetch_minimum_fps: .5
                """);
        Map<String, Object> described = Redaction.describe(ConfigLoader.load(file).images().get("cam"));
        assertEquals(List.of("url", "stream_fps", "fetch_minimum_fps", "fetch_maximum_fps", "image_timeout_seconds",
                "image_timeout_behavior", "image_validation", "ignore_certificate_errors", "stale_image_path",
                "fetch_agent_string", "max_image_bytes", "max_image_pixels", "read_timeout_seconds",
                "close_after_last_viewer_seconds", "rotate", "crop", "max_width", "max_height", "jpeg_quality",
                "timestamp_overlay"), List.copyOf(described.keySet()));
        assertEquals("http://cam.local/snap.jpg", described.get("url"));
        assertEquals(0.5, described.get("fetch_minimum_fps"));
        assertEquals(30.0, described.get("image_timeout_seconds"));
        assertEquals("disconnect", described.get("image_timeout_behavior"));
        assertEquals("valid_jpeg", described.get("image_validation"));
        assertFalse(described.containsKey("password"));
        assertFalse(described.containsKey("access_token"));
        assertEquals("none", described.get("crop"));
        assertEquals(false, described.get("timestamp_overlay"));
        assertEquals(85, described.get("jpeg_quality"));
    }

    @Test
    void credentialsToStringCarriesNoSecret() {
        Credentials basic = new Credentials(AuthType.BASIC, "admin", PASSWORD, null);
        Credentials bearer = new Credentials(AuthType.BEARER, null, "", TOKEN);
        assertNoSecret(basic.toString());
        assertNoSecret(bearer.toString());
        assertTrue(basic.toString().contains("basic") && basic.toString().contains("admin"), basic.toString());
        assertEquals("none", Credentials.NONE.toString());
    }

    @Test
    void imageConfigToStringCarriesNoSecret() {
        ImageSettings settings = new ImageSettings(5, 1, 30, java.time.Duration.ofSeconds(30), TimeoutBehavior.DISCONNECT,
                Validation.VALID_JPEG, false, null, "agent", 1000, 1000, ACCESS_TOKEN,
                java.time.Duration.ofSeconds(10), java.time.Duration.ofSeconds(5));
        ImageConfig image = new ImageConfig("cam", URI.create("http://u:" + PASSWORD + "@cam.local/a.jpg?key=" + TOKEN),
                new Credentials(AuthType.DIGEST, "u", PASSWORD, TOKEN), settings, 3);
        assertNoSecret(image.toString());
        assertNoSecret(image.settings().toString());
        assertTrue(image.toString().contains("cam"), image.toString());
    }

    private static void assertNoSecret(String text) {
        for (String secret : SECRETS) {
            assertFalse(text.contains(secret), "'" + secret + "' leaked in: " + text);
        }
    }
}

package org.mjpegserver.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.mjpegserver.testing.TestImages;

final class ConfigLoaderTest {

    @TempDir
    Path dir;

    // ---------------------------------------------------------------- valid configurations

    @Test
    void pythonStyleConfigLoadsDefaultsAndEveryPerImageOverride() throws Exception {
        Files.createDirectories(dir.resolve("images"));
        Files.write(dir.resolve("images/default-stale.jpg"), TestImages.jpeg(64, 48, "default"));
        Files.write(dir.resolve("images/cam-stale.png"), TestImages.png(64, 48, "cam"));
        ServerConfig config = load("""
                mjpeg-server:
                  stream_fps: 4
                  fetch_minimum_fps: 2
                  fetch_maximum_fps: 20
                  image_timeout_seconds: 15
                  image_timeout_behavior: stale_image
                  image_validation: conversion
                  ignore_certificate_errors: true
                  stale_image_path: images/default-stale.jpg
                  fetch_agent_string: house-agent/2.0
                  max_image_bytes: 1000000
                  max_image_pixels: 2000000
                  access_token: house-token
                images:
                  plain:
                    url: http://cam.local/plain.jpg
                  custom:
                    url: https://cam.local/custom.jpg
                    stream_fps: 12.5
                    fetch_minimum_fps: 0.5
                    fetch_maximum_fps: 25
                    image_timeout_seconds: 2.5
                    image_timeout_behavior: last_frame
                    image_validation: zero_bytes
                    ignore_certificate_errors: false
                    stale_image_path: images/cam-stale.png
                    fetch_agent_string: cam-agent/3.0
                    max_image_bytes: 5000
                    max_image_pixels: 640000
                    access_token: cam-token
                    auth_type: digest
                    username: admin
                    password: s3cret
                  tokened:
                    url: http://cam.local/api.jpg
                    auth_type: bearer
                    token: t0ken
                """);

        ImageSettings defaults = config.defaults();
        assertEquals(4, defaults.streamFps());
        assertEquals(2, defaults.fetchMinimumFps());
        assertEquals(20, defaults.fetchMaximumFps());
        assertEquals(Duration.ofSeconds(15), defaults.imageTimeout());
        assertEquals(TimeoutBehavior.STALE_IMAGE, defaults.imageTimeoutBehavior());
        assertEquals(Validation.CONVERSION, defaults.imageValidation());
        assertTrue(defaults.ignoreCertificateErrors());
        assertEquals(dir.resolve("images/default-stale.jpg").toAbsolutePath().normalize(), defaults.staleImagePath());
        assertEquals("house-agent/2.0", defaults.fetchAgentString());
        assertEquals(1_000_000, defaults.maxImageBytes());
        assertEquals(2_000_000, defaults.maxImagePixels());
        assertEquals("house-token", defaults.accessToken());

        assertEquals(List.of("plain", "custom", "tokened"), List.copyOf(config.images().keySet()), "file order");
        ImageConfig plain = config.images().get("plain");
        assertEquals("plain", plain.id());
        assertEquals(URI.create("http://cam.local/plain.jpg"), plain.url());
        assertEquals(defaults, plain.settings(), "an image without overrides inherits the mjpeg-server section");
        assertEquals(Credentials.NONE, plain.credentials());
        assertFalse(plain.credentials().present());
        assertEquals(15, plain.line());

        ImageConfig custom = config.images().get("custom");
        ImageSettings s = custom.settings();
        assertEquals(URI.create("https://cam.local/custom.jpg"), custom.url());
        assertEquals(12.5, s.streamFps());
        assertEquals(0.5, s.fetchMinimumFps());
        assertEquals(25, s.fetchMaximumFps());
        assertEquals(Duration.ofMillis(2500), s.imageTimeout());
        assertEquals(TimeoutBehavior.LAST_FRAME, s.imageTimeoutBehavior());
        assertEquals(Validation.ZERO_BYTES, s.imageValidation());
        assertFalse(s.ignoreCertificateErrors());
        assertEquals(dir.resolve("images/cam-stale.png").toAbsolutePath().normalize(), s.staleImagePath());
        assertEquals("cam-agent/3.0", s.fetchAgentString());
        assertEquals(5000, s.maxImageBytes());
        assertEquals(640_000, s.maxImagePixels());
        assertEquals("cam-token", s.accessToken());
        assertEquals(new Credentials(AuthType.DIGEST, "admin", "s3cret", null), custom.credentials());

        assertEquals(new Credentials(AuthType.BEARER, null, "", "t0ken"), config.images().get("tokened").credentials());
        assertEquals(List.of(), config.warnings());
    }

    @Test
    void defaultsAreThePythonServers() throws Exception {
        ServerConfig config = load("""
                images:
                  cam:
                    url: http://cam.local/snap.jpg
                """);
        ImageSettings s = config.images().get("cam").settings();
        assertEquals(5, s.streamFps());
        assertEquals(1, s.fetchMinimumFps());
        assertEquals(30, s.fetchMaximumFps());
        assertEquals(Duration.ofSeconds(30), s.imageTimeout());
        assertEquals(TimeoutBehavior.DISCONNECT, s.imageTimeoutBehavior());
        assertEquals(Validation.VALID_JPEG, s.imageValidation());
        assertFalse(s.ignoreCertificateErrors());
        assertNull(s.staleImagePath(), "no stale_image_path means the built-in placeholder");
        assertNull(s.accessToken(), "streams are open unless access_token is set");
        assertEquals(ImageSettings.DEFAULTS, s);
        assertEquals(ImageSettings.DEFAULTS, config.defaults());
    }

    @Test
    void emptyMjpegServerSectionKeepsTheDefaults() throws Exception {
        ServerConfig config = load("""
                mjpeg-server:
                images:
                  cam: http://cam.local/snap.jpg
                """);
        assertEquals(ImageSettings.DEFAULTS, config.defaults());
        // The "id: URL" shorthand of an image without overrides.
        assertEquals(URI.create("http://cam.local/snap.jpg"), config.images().get("cam").url());
    }

    @ParameterizedTest
    @CsvSource({"disconnect, DISCONNECT", "stale_image, STALE_IMAGE", "last_frame, LAST_FRAME", "Last-Frame, LAST_FRAME"})
    void everyTimeoutBehaviourIsAccepted(String yamlValue, TimeoutBehavior expected) throws Exception {
        ServerConfig config = load("""
                images:
                  cam:
                    url: http://cam.local/snap.jpg
                    image_timeout_behavior: %s
                """.formatted(yamlValue));
        assertEquals(expected, config.images().get("cam").settings().imageTimeoutBehavior());
    }

    @ParameterizedTest
    @CsvSource({"valid_jpeg, VALID_JPEG", "conversion, CONVERSION", "zero_bytes, ZERO_BYTES", "none, NONE"})
    void everyValidationIsAccepted(String yamlValue, Validation expected) throws Exception {
        ServerConfig config = load("""
                mjpeg-server:
                  image_validation: %s
                images:
                  cam:
                    url: http://cam.local/snap.jpg
                """.formatted(yamlValue));
        assertEquals(expected, config.images().get("cam").settings().imageValidation());
    }

    @ParameterizedTest
    @CsvSource({"basic, BASIC", "digest, DIGEST", "BASIC, BASIC"})
    void usernameAuthTypesAreAccepted(String yamlValue, AuthType expected) throws Exception {
        ServerConfig config = load("""
                images:
                  cam:
                    url: http://cam.local/snap.jpg
                    auth_type: %s
                    username: admin
                    password: pw
                """.formatted(yamlValue));
        assertEquals(new Credentials(expected, "admin", "pw", null), config.images().get("cam").credentials());
    }

    @Test
    void fractionalFpsIsValid() throws Exception {
        ServerConfig config = load("""
                mjpeg-server:
                  fetch_minimum_fps: .1
                images:
                  cam:
                    url: http://cam.local/snap.jpg
                    stream_fps: 0.25
                """);
        ImageSettings s = config.images().get("cam").settings();
        assertEquals(0.1, s.fetchMinimumFps(), 1e-9);
        assertEquals(0.1, s.effectiveMinimumFps(), 1e-9);
        assertEquals(0.25, s.streamFps(), 1e-9);
    }

    @Test
    void minimumFpsAboveMaximumIsCapped() throws Exception {
        ServerConfig config = load("""
                images:
                  cam:
                    url: http://cam.local/snap.jpg
                    fetch_minimum_fps: 10
                    fetch_maximum_fps: 2
                """);
        ImageSettings s = config.images().get("cam").settings();
        assertEquals(10, s.fetchMinimumFps(), "kept as written");
        assertEquals(2, s.fetchMaximumFps());
        assertEquals(2, s.effectiveMinimumFps(), "but capped at the maximum, as the Python server did");
        assertEquals(2.0, Redaction.describe(config.images().get("cam")).get("fetch_minimum_fps"));
    }

    @Test
    void urlUserInfoBecomesDecodedBasicCredentialsAndLeavesTheUrl() throws Exception {
        ServerConfig config = load("""
                images:
                  cam:
                    url: http://user:p%40ss@host/x
                  ported:
                    url: https://admin:a%3Ab+c@cam.local:8443/snap.jpg?channel=1&size=big
                  nopassword:
                    url: http://viewer@host/y
                """);
        ImageConfig cam = config.images().get("cam");
        assertEquals(new Credentials(AuthType.BASIC, "user", "p@ss", null), cam.credentials());
        assertEquals(URI.create("http://host/x"), cam.url());
        assertNull(cam.url().getUserInfo());

        ImageConfig ported = config.images().get("ported");
        // '+' is a literal plus in user-info, not a space as in form encoding.
        assertEquals(new Credentials(AuthType.BASIC, "admin", "a:b+c", null), ported.credentials());
        assertEquals(URI.create("https://cam.local:8443/snap.jpg?channel=1&size=big"), ported.url());

        assertEquals(new Credentials(AuthType.BASIC, "viewer", "", null), config.images().get("nopassword").credentials());
        assertEquals(URI.create("http://host/y"), config.images().get("nopassword").url());
    }

    @Test
    void explicitUsernameAndPasswordWinOverUrlUserInfo() throws Exception {
        ServerConfig config = load("""
                images:
                  cam:
                    url: http://urluser:urlpass@host/x
                    username: keyuser
                    password: keypass
                  digest:
                    url: http://urluser:urlpass@host/y
                    auth_type: digest
                """);
        ImageConfig cam = config.images().get("cam");
        assertEquals(new Credentials(AuthType.BASIC, "keyuser", "keypass", null), cam.credentials());
        assertEquals(URI.create("http://host/x"), cam.url());
        // auth_type chooses the scheme, the URL still supplies the credentials.
        assertEquals(new Credentials(AuthType.DIGEST, "urluser", "urlpass", null),
                config.images().get("digest").credentials());
    }

    @Test
    void tokenAloneMeansBearer() throws Exception {
        ServerConfig config = load("""
                images:
                  cam:
                    url: https://cloud.example/snap.jpg
                    token: abc.def.ghi
                  numeric:
                    url: https://cloud.example/snap.jpg
                    username: admin
                    password: 1234
                """);
        Credentials credentials = config.images().get("cam").credentials();
        assertEquals(AuthType.BEARER, credentials.type());
        assertEquals("abc.def.ghi", credentials.token());
        // YAML reads 1234 as a number; a password is still text.
        assertEquals(new Credentials(AuthType.BASIC, "admin", "1234", null), config.images().get("numeric").credentials());
    }

    @Test
    void fileUrlsAreRelativeToTheConfigFolderOrAbsolute() throws Exception {
        Path absolute = dir.resolve("elsewhere/abs.jpg").toAbsolutePath().normalize();
        ServerConfig config = load("""
                images:
                  relative:
                    url: file:uploads/latest.jpg
                  parent:
                    url: file:../shared/cam.jpg
                  spaced:
                    url: file:my%%20snap.jpg
                  absolute:
                    url: %s
                """.formatted(absolute.toUri()));
        Path folder = dir.toAbsolutePath().normalize();
        assertEquals(folder.resolve("uploads/latest.jpg").toUri(), config.images().get("relative").url());
        assertEquals(folder.resolveSibling("shared/cam.jpg").toUri(), config.images().get("parent").url());
        assertEquals(folder.resolve("my snap.jpg").toUri(), config.images().get("spaced").url());
        assertEquals(absolute.toUri(), config.images().get("absolute").url());
        assertTrue(config.images().get("absolute").url().toString().startsWith("file:///"));
    }

    @Test
    void fileUrlsResolveAgainstTheConfigFileNotTheWorkingDirectory() throws Exception {
        Path sub = Files.createDirectories(dir.resolve("conf/site"));
        Path file = sub.resolve("config.yaml");
        Files.writeString(file, """
                images:
                  cam:
                    url: file:cam.jpg
                """);
        ServerConfig config = ConfigLoader.load(file);
        assertEquals(sub.toAbsolutePath().normalize().resolve("cam.jpg").toUri(), config.images().get("cam").url());
        assertEquals(file.toAbsolutePath().normalize(), config.file());
    }

    @Test
    void testPatternUrls() throws Exception {
        ServerConfig config = load("""
                images:
                  default:
                    url: "testpattern:"
                  sized:
                    url: testpattern:320x240
                """);
        assertEquals(URI.create("testpattern:640x360"), config.images().get("default").url());
        assertEquals(URI.create("testpattern:320x240"), config.images().get("sized").url());
        assertEquals(Credentials.NONE, config.images().get("sized").credentials());
    }

    @Test
    void staleImagePathIsRelativeToTheConfigFolder() throws Exception {
        Files.createDirectories(dir.resolve("art"));
        Files.write(dir.resolve("art/offline.gif"), TestImages.gif(32, 32, "off"));
        Files.write(dir.resolve("top.bmp"), TestImages.bmp(32, 32, "top"));
        ServerConfig config = load("""
                mjpeg-server:
                  stale_image_path: art/offline.gif
                images:
                  inherits:
                    url: http://cam.local/a.jpg
                  own:
                    url: http://cam.local/b.jpg
                    stale_image_path: ./art/../top.bmp
                """);
        Path folder = dir.toAbsolutePath().normalize();
        assertEquals(folder.resolve("art/offline.gif"), config.images().get("inherits").settings().staleImagePath());
        assertEquals(folder.resolve("top.bmp"), config.images().get("own").settings().staleImagePath());
    }

    // ---------------------------------------------------------------- mistakes

    @Test
    void yamlSyntaxErrorNamesFileAndLine() throws Exception {
        ConfigException e = fail("""
                mjpeg-server:
                  stream_fps: 5
                images:
                  cam:
                    url: "http://cam.local/snap.jpg
                    stream_fps: 5
                """);
        assertEquals(1, e.problems().size(), e.getMessage());
        String problem = e.problems().get(0);
        assertTrue(problem.startsWith(file() + ":"), problem);
        assertTrue(problem.contains("not valid YAML"), problem);
        int line = Integer.parseInt(problem.substring(file().length() + 1, problem.indexOf(':', file().length() + 1)));
        assertTrue(line >= 5 && line <= 7, "the line of the broken quote or just after it: " + problem);
        assertTrue(e.getMessage().contains(problem));
    }

    @Test
    void badIndentationIsASyntaxErrorOnItsLine() throws Exception {
        ConfigException e = fail("""
                mjpeg-server:
                  stream_fps: 5
                 fetch_minimum_fps: 1
                images: {}
                """);
        assertEquals(1, e.problems().size(), e.getMessage());
        assertProblem(e, 3, "", "not valid YAML");
    }

    @Test
    void listWhereANumberGoes() throws Exception {
        ConfigException e = fail("""
                images:
                  cam:
                    url: http://cam.local/snap.jpg
                    stream_fps: [5, 10]
                """);
        assertProblem(e, 4, "images.cam.stream_fps", "a list is not allowed", "frames per second");
    }

    @Test
    void textWhereANumberGoes() throws Exception {
        ConfigException e = fail("""
                mjpeg-server:
                  image_timeout_seconds: thirty
                  max_image_bytes: lots
                images:
                  cam:
                    url: http://cam.local/snap.jpg
                    fetch_maximum_fps: fast
                """);
        assertEquals(3, e.problems().size(), e.getMessage());
        assertProblem(e, 2, "mjpeg-server.image_timeout_seconds", "'thirty' is not allowed", "seconds");
        assertProblem(e, 3, "mjpeg-server.max_image_bytes", "'lots' is not allowed", "bytes");
        assertProblem(e, 7, "images.cam.fetch_maximum_fps", "'fast' is not allowed", "frames per second");
    }

    @Test
    void textWhereABooleanGoes() throws Exception {
        ConfigException e = fail("""
                images:
                  cam:
                    url: https://cam.local/snap.jpg
                    ignore_certificate_errors: sometimes
                """);
        assertProblem(e, 4, "images.cam.ignore_certificate_errors", "'sometimes'", "true or false");
    }

    @Test
    void unknownTimeoutBehaviourListsTheAllowedValues() throws Exception {
        ConfigException e = fail("""
                images:
                  cam:
                    url: http://cam.local/snap.jpg
                    image_timeout_behavior: freeze
                """);
        assertProblem(e, 4, "images.cam.image_timeout_behavior", "'freeze'", "disconnect, stale_image, last_frame");
    }

    @Test
    void unknownValidationListsTheAllowedValues() throws Exception {
        ConfigException e = fail("""
                mjpeg-server:
                  image_validation: strict
                images:
                  cam: http://cam.local/snap.jpg
                """);
        assertProblem(e, 2, "mjpeg-server.image_validation", "'strict'", "valid_jpeg, conversion, zero_bytes, none");
    }

    @Test
    void unknownAuthTypeListsTheAllowedValues() throws Exception {
        ConfigException e = fail("""
                images:
                  cam:
                    url: http://cam.local/snap.jpg
                    auth_type: ntlm
                    username: admin
                """);
        assertProblem(e, 4, "images.cam.auth_type", "'ntlm'", "basic, digest, bearer");
    }

    @Test
    void onDemandMinimumFpsOfZeroAndTheStreamTimeouts() throws Exception {
        ServerConfig config = load("""
                mjpeg-server:
                  read_timeout_seconds: 20
                images:
                  door:
                    url: http://cam.local/stream
                    fetch_minimum_fps: 0
                    close_after_last_viewer_seconds: 2.5
                  yard: http://cam.local/snap.jpg
                """);
        ImageSettings door = config.images().get("door").settings();
        assertTrue(door.onDemand());
        assertEquals(Duration.ofSeconds(20), door.readTimeout());
        assertEquals(Duration.ofMillis(2500), door.closeAfterLastViewer());
        ImageSettings yard = config.images().get("yard").settings();
        assertFalse(yard.onDemand());
        assertEquals(Duration.ofSeconds(20), yard.readTimeout());
        assertEquals(Duration.ofSeconds(5), yard.closeAfterLastViewer());
    }

    @Test
    void streamTimeoutsOutOfRangeAreRejected() throws Exception {
        ConfigException e = fail("""
                mjpeg-server:
                  read_timeout_seconds: 0
                images:
                  cam:
                    url: http://cam.local/stream
                    close_after_last_viewer_seconds: soon
                """);
        assertEquals(2, e.problems().size(), e.getMessage());
        assertProblem(e, 2, "mjpeg-server.read_timeout_seconds", "'0' is not allowed", "from 1 to 3600");
        assertProblem(e, 6, "images.cam.close_after_last_viewer_seconds", "'soon' is not allowed", "from 0 to 86400");
    }

    @Test
    void negativeAndZeroFpsAreRejected() throws Exception {
        // fetch_minimum_fps alone may be 0 (fetch only while watched); see onDemandMinimumFpsOfZero.
        ConfigException e = fail("""
                mjpeg-server:
                  stream_fps: 0
                images:
                  cam:
                    url: http://cam.local/snap.jpg
                    fetch_minimum_fps: -1
                    fetch_maximum_fps: 0.0
                """);
        assertEquals(3, e.problems().size(), e.getMessage());
        assertProblem(e, 2, "mjpeg-server.stream_fps", "'0' is not allowed", "greater than 0");
        assertProblem(e, 6, "images.cam.fetch_minimum_fps", "'-1' is not allowed", "from 0 (fetch only while watched)");
        assertProblem(e, 7, "images.cam.fetch_maximum_fps", "'0.0' is not allowed", "greater than 0");
    }

    @Test
    void missingUrl() throws Exception {
        ConfigException e = fail("""
                images:
                  ok:
                    url: http://cam.local/snap.jpg
                  cam:
                    stream_fps: 5
                """);
        assertEquals(1, e.problems().size(), e.getMessage());
        assertProblem(e, 4, "images.cam.url", "missing", "http, https, file or testpattern");
    }

    @Test
    void emptyImageEntryIsAMistake() throws Exception {
        ConfigException e = fail("""
                images:
                  cam:
                """);
        assertProblem(e, 2, "images.cam", "expected a mapping");
    }

    @Test
    void unsupportedScheme() throws Exception {
        ConfigException e = fail("""
                images:
                  cam:
                    url: ftp://cam.local/snap.jpg
                """);
        assertProblem(e, 3, "images.cam.url", "scheme 'ftp'", "ftp://cam.local/snap.jpg", "http, https, file or testpattern");
    }

    @Test
    void malformedUrlsAndTestPatterns() throws Exception {
        ConfigException e = fail("""
                images:
                  nohost:
                    url: http:///snap.jpg
                  spaces:
                    url: http://cam local/snap.jpg
                  pattern:
                    url: testpattern:big
                  tiny:
                    url: testpattern:8x8
                """);
        assertEquals(4, e.problems().size(), e.getMessage());
        assertProblem(e, 3, "images.nohost.url", "no host");
        assertProblem(e, 5, "images.spaces.url", "not a valid URL");
        assertProblem(e, 7, "images.pattern.url", "'testpattern:big'", "testpattern:WIDTHxHEIGHT");
        assertProblem(e, 9, "images.tiny.url", "'testpattern:8x8'", "16 to 9999");
    }

    @Test
    void badImageId() throws Exception {
        ConfigException e = fail("""
                images:
                  a b:
                    url: http://cam.local/snap.jpg
                  "cam/1": http://cam.local/other.jpg
                """);
        assertEquals(2, e.problems().size(), e.getMessage());
        assertProblem(e, 2, "images.a b", "'a b' is not allowed", "letters, digits, '_' and '-'");
        assertProblem(e, 4, "images.cam/1", "'cam/1' is not allowed");
    }

    @Test
    void duplicateImageId() throws Exception {
        ConfigException e = fail("""
                images:
                  cam:
                    url: http://cam.local/one.jpg
                  other:
                    url: http://cam.local/two.jpg
                  cam:
                    url: http://cam.local/three.jpg
                """);
        assertEquals(1, e.problems().size(), e.getMessage());
        assertProblem(e, 6, "images.cam", "duplicate key", "first defined on line 2");
    }

    @Test
    void duplicateSettingKey() throws Exception {
        ConfigException e = fail("""
                mjpeg-server:
                  stream_fps: 5
                  stream_fps: 10
                images:
                  cam: http://cam.local/snap.jpg
                """);
        assertProblem(e, 3, "mjpeg-server.stream_fps", "duplicate key", "first defined on line 2");
    }

    @Test
    void nonexistentStaleImage() throws Exception {
        ConfigException e = fail("""
                images:
                  cam:
                    url: http://cam.local/snap.jpg
                    stale_image_path: missing/stale.jpg
                """);
        assertProblem(e, 4, "images.cam.stale_image_path", "'missing/stale.jpg'", "not a readable file",
                dir.toAbsolutePath().normalize().resolve("missing/stale.jpg").toString());
    }

    @Test
    void directoryAsStaleImage() throws Exception {
        Files.createDirectories(dir.resolve("stale"));
        ConfigException e = fail("""
                mjpeg-server:
                  stale_image_path: stale
                images:
                  cam: http://cam.local/snap.jpg
                """);
        assertProblem(e, 2, "mjpeg-server.stale_image_path", "'stale'", "not a readable file");
    }

    @Test
    void unreadableStaleImage() throws Exception {
        Path stale = Files.write(dir.resolve("locked.jpg"), TestImages.jpeg(32, 32, "locked"));
        Files.setPosixFilePermissions(stale, PosixFilePermissions.fromString("---------"));
        try {
            // root reads anything; there the file cannot be made unreadable.
            assumeFalse(Files.isReadable(stale), "file permissions are not enforced for this user");
            ConfigException e = fail("""
                    images:
                      cam:
                        url: http://cam.local/snap.jpg
                        stale_image_path: locked.jpg
                    """);
            assertProblem(e, 4, "images.cam.stale_image_path", "'locked.jpg'", "not a readable file");
        } finally {
            Files.setPosixFilePermissions(stale, PosixFilePermissions.fromString("rw-------"));
        }
    }

    @Test
    void staleImageThatIsNoImage() throws Exception {
        Files.writeString(dir.resolve("stale.jpg"), "this is not a picture\n");
        ConfigException e = fail("""
                images:
                  cam:
                    url: http://cam.local/snap.jpg
                    stale_image_path: stale.jpg
                """);
        assertProblem(e, 4, "images.cam.stale_image_path", "'stale.jpg'", "not an image in a readable format");
    }

    @Test
    void digestWithoutUsername() throws Exception {
        ConfigException e = fail("""
                images:
                  cam:
                    url: http://cam.local/snap.jpg
                    auth_type: digest
                    password: secret
                """);
        assertProblem(e, 4, "images.cam.username", "auth_type digest needs a 'username'");
    }

    @Test
    void bearerWithoutToken() throws Exception {
        ConfigException e = fail("""
                images:
                  cam:
                    url: http://cam.local/snap.jpg
                    auth_type: bearer
                    username: admin
                """);
        assertProblem(e, 4, "images.cam.token", "auth_type bearer needs a 'token'");
    }

    @Test
    void passwordWithoutUsername() throws Exception {
        ConfigException e = fail("""
                images:
                  cam:
                    url: http://cam.local/snap.jpg
                    password: secret
                """);
        assertProblem(e, 4, "images.cam.password", "without a username");
    }

    @Test
    void credentialsOnANonHttpUrl() throws Exception {
        ConfigException e = fail("""
                images:
                  cam:
                    url: file:cam.jpg
                    auth_type: basic
                    username: admin
                """);
        assertProblem(e, 4, "images.cam.auth_type", "only to http and https");
    }

    @Test
    void imageKeyInTheServerSectionIsAMistake() throws Exception {
        ConfigException e = fail("""
                mjpeg-server:
                  username: admin
                images:
                  cam: http://cam.local/snap.jpg
                """);
        assertProblem(e, 2, "mjpeg-server.username", "belongs to an image");
    }

    @Test
    void everyMistakeIsListedInOneException() throws Exception {
        ConfigException e = fail("""
                mjpeg-server:
                  stream_fps: -5
                  image_validation: strict
                images:
                  a b:
                    url: http://cam.local/a.jpg
                  nourl:
                    stream_fps: 5
                  ftp:
                    url: ftp://cam.local/b.jpg
                  digest:
                    url: http://cam.local/c.jpg
                    auth_type: digest
                  behaviour:
                    url: http://cam.local/d.jpg
                    image_timeout_behavior: freeze
                    fetch_maximum_fps: [1]
                """);
        assertEquals(8, e.problems().size(), e.getMessage());
        assertTrue(e.getMessage().contains("(8 problems)"), e.getMessage());
        assertProblem(e, 2, "mjpeg-server.stream_fps", "'-5'");
        assertProblem(e, 3, "mjpeg-server.image_validation", "'strict'");
        assertProblem(e, 5, "images.a b", "'a b'");
        assertProblem(e, 7, "images.nourl.url", "missing");
        assertProblem(e, 10, "images.ftp.url", "scheme 'ftp'");
        assertProblem(e, 13, "images.digest.username", "needs a 'username'");
        assertProblem(e, 16, "images.behaviour.image_timeout_behavior", "'freeze'");
        assertProblem(e, 17, "images.behaviour.fetch_maximum_fps", "a list");
    }

    @Test
    void mistakesNeverQuoteASecret() throws Exception {
        ConfigException e = fail("""
                images:
                  ftp:
                    url: ftp://admin:Hunter2pw@cam.local/snap.jpg
                  nohost:
                    url: http://admin:Hunter2pw@/snap.jpg
                  rawat:
                    url: http://admin:Hunter2pw@x@cam.local/snap.jpg
                  kiosk:
                    url: htp://tablet:2323/?cmd=getCamshot&password=Hunter2pw
                  file:
                    url: file://admin:Hunter2pw@host/snap.jpg
                  bearer:
                    url: http://cam.local/snap.jpg
                    auth_type: bearer
                    password: Hunter2pw
                """);
        assertEquals(6, e.problems().size(), e.getMessage());
        assertFalse(e.getMessage().contains("Hunter2pw"), e.getMessage());
    }

    @Test
    void notAMappingAtTheTop() throws Exception {
        ConfigException e = fail("""
                - cam
                - other
                """);
        assertProblem(e, 1, "(top level)", "must be a mapping");
    }

    @Test
    void nonexistentConfigFile() {
        Path missing = dir.resolve("nope.yaml");
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(missing));
        assertTrue(e.getMessage().contains(missing.toAbsolutePath().normalize().toString()), e.getMessage());
        assertTrue(e.getMessage().contains("cannot be read"), e.getMessage());
    }

    // ---------------------------------------------------------------- warnings

    @Test
    void unknownKeyIsAWarningNamingTheNearestKnownKey() throws Exception {
        ServerConfig config = load("""
                mjpeg-server:
                  fetch_maximum_fsp: 10
                images:
                  cam:
                    url: http://cam.local/snap.jpg
                    stream_fsp: 7
                    colour: blue
                """);
        assertEquals(ImageSettings.DEFAULTS, config.images().get("cam").settings(), "misspelt keys change nothing");
        assertEquals(3, config.warnings().size(), config.warnings().toString());
        assertWarning(config, 2, "mjpeg-server.fetch_maximum_fsp", "did you mean 'fetch_maximum_fps'?");
        assertWarning(config, 6, "images.cam.stream_fsp", "did you mean 'stream_fps'?");
        String colour = warning(config, 7, "images.cam.colour");
        assertFalse(colour.contains("did you mean"), "no suggestion when nothing is close: " + colour);
    }

    @Test
    void unknownSectionIsAWarning() throws Exception {
        ServerConfig config = load("""
                mjpeg_server:
                  stream_fps: 10
                images:
                  cam: http://cam.local/snap.jpg
                """);
        assertEquals(5, config.defaults().streamFps(), "the misspelt section is ignored");
        assertWarning(config, 1, "mjpeg_server", "did you mean 'mjpeg-server'?");
    }

    @Test
    void missingImagesSectionIsAWarning() throws Exception {
        ServerConfig config = load("""
                mjpeg-server:
                  stream_fps: 5
                """);
        assertTrue(config.images().isEmpty());
        assertEquals(1, config.warnings().size(), config.warnings().toString());
        assertTrue(config.warnings().get(0).contains(file()) && config.warnings().get(0).contains("nothing to stream"),
                config.warnings().get(0));
    }

    // ---------------------------------------------------------------- shaping

    @Test
    void shapingKeysHaveServerWideDefaultsAndPerImageOverrides() throws Exception {
        ServerConfig config = load("""
                mjpeg-server:
                  rotate: 90
                  crop: {x: 10%, y: 20, width: 50%, height: 400}
                  max_width: 640
                  jpeg_quality: 70
                  timestamp_overlay:
                    position: bottom-right
                    time_zone: Europe/Berlin
                images:
                  inherits: http://cam.local/a.jpg
                  overrides:
                    url: http://cam.local/b.jpg
                    rotate: 0
                    crop: none
                    max_width: 0
                    max_height: 240
                    jpeg_quality: 95
                    timestamp_overlay:
                      show_id: true
                      format: HH:mm
                  plain_overlay:
                    url: http://cam.local/c.jpg
                    timestamp_overlay: false
                    crop: {x: 0, y: 0, width: 100%, height: 100%}
                """);
        Shaping defaults = config.defaults().shaping();
        assertEquals(90, defaults.rotate());
        assertEquals(new Shaping.Crop(new Shaping.Length(10, true), new Shaping.Length(20, false),
                new Shaping.Length(50, true), new Shaping.Length(400, false)), defaults.crop());
        assertEquals(640, defaults.maxWidth());
        assertEquals(0, defaults.maxHeight(), "no limit unless set");
        assertEquals(70, defaults.jpegQuality());
        assertEquals(new Shaping.TimestampOverlay(Shaping.Corner.BOTTOM_RIGHT, false, "yyyy-MM-dd HH:mm:ss",
                java.time.ZoneId.of("Europe/Berlin")), defaults.timestampOverlay());
        assertEquals(defaults, config.images().get("inherits").settings().shaping());

        Shaping overrides = config.images().get("overrides").settings().shaping();
        assertEquals(new Shaping(0, null, 0, 240, 95, new Shaping.TimestampOverlay(Shaping.Corner.BOTTOM_RIGHT, true, "HH:mm",
                java.time.ZoneId.of("Europe/Berlin"))), overrides, "an overlay mapping changes only the keys it names");
        Shaping plain = config.images().get("plain_overlay").settings().shaping();
        assertNull(plain.timestampOverlay());
        assertNull(plain.crop(), "a crop of the whole picture is no crop");
        assertEquals(List.of(), config.warnings());
    }

    @Test
    void noShapingByDefaultAndTrueGivesTheDefaultOverlay() throws Exception {
        ServerConfig config = load("""
                images:
                  cam: http://cam.local/a.jpg
                  stamped:
                    url: http://cam.local/b.jpg
                    timestamp_overlay: true
                """);
        assertEquals(Shaping.NONE, config.images().get("cam").settings().shaping());
        assertFalse(Shaping.NONE.changesPixels());
        Shaping stamped = config.images().get("stamped").settings().shaping();
        assertEquals(Shaping.TimestampOverlay.DEFAULT, stamped.timestampOverlay());
        assertTrue(stamped.changesPixels());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "rotate: 45                                   | rotate              | '45' is not allowed; expected 0, 90, 180 or 270",
            "rotate: -90                                  | rotate              | expected 0, 90, 180 or 270",
            "rotate: quarter                              | rotate              | 'quarter' is not allowed",
            "max_width: -5                                | max_width           | expected 0 (no limit) or a width in pixels",
            "max_width: 320.5                             | max_width           | '320.5' is not allowed",
            "max_height: 100000                           | max_height          | up to 16384",
            "jpeg_quality: 0                              | jpeg_quality        | expected a JPEG quality from 1 to 100",
            "jpeg_quality: 101                            | jpeg_quality        | from 1 to 100",
            "crop: 50%                                    | crop                | expected a mapping with x, y, width and height",
            "crop: {x: -10, y: 0, width: 10, height: 10}  | crop.x              | '-10' is not allowed; expected an offset from 0",
            "crop: {x: 0, y: 0, width: 0, height: 10}     | crop.width          | '0' is not allowed; expected a size above 0",
            "crop: {x: 0, y: 0, width: 10, height: 0%}    | crop.height         | '0%' is not allowed",
            "crop: {x: 0, y: 0, width: 120%, height: 10}  | crop.width          | '120%' is not allowed",
            "crop: {x: 0, y: 0, width: 10.5, height: 10}  | crop.width          | whole pixels",
            "crop: {x: 0, y: 0, width: abc, height: 10}   | crop.width          | 'abc' is not allowed",
            "crop: {x: 60%, y: 0, width: 50%, height: 10} | crop                | x 60% + width 50% reaches past the picture's edge",
            "crop: {x: 0, y: 0, height: 10}               | crop.width          | missing; a crop needs x, y, width and height",
            "timestamp_overlay: sometimes                 | timestamp_overlay   | 'sometimes' is not allowed; expected true or false",
            "timestamp_overlay: {position: middle}        | timestamp_overlay.position | expected one of top-left, top-right, bottom-left, bottom-right",
            "timestamp_overlay: {time_zone: Mars/Base}    | timestamp_overlay.time_zone | 'Mars/Base' is not a time zone",
            "timestamp_overlay: {format: 'yyyy-MM-dd {{'} | timestamp_overlay.format | is not a usable date-time pattern",
            "timestamp_overlay: {show_id: maybe}          | timestamp_overlay.show_id | expected true or false"})
    void invalidShapingIsAConfigErrorWithLineAndKey(String line, String key, String fragment) throws Exception {
        ConfigException e = fail("""
                images:
                  cam:
                    url: http://cam.local/a.jpg
                    %s
                """.formatted(line.trim()));
        assertProblem(e, 4, "images.cam." + key.trim(), fragment.trim());
    }

    @Test
    void unknownKeysInsideCropAndOverlayAreWarnedAboutWithASuggestion() throws Exception {
        ServerConfig config = load("""
                mjpeg-server:
                  crop:
                    x: 0
                    y: 0
                    width: 50%
                    height: 50%
                    widht: 20
                  timestamp_overlay:
                    postion: top-right
                images:
                  cam: http://cam.local/a.jpg
                """);
        assertWarning(config, 7, "mjpeg-server.crop.widht", "did you mean 'width'?");
        assertWarning(config, 9, "mjpeg-server.timestamp_overlay.postion", "did you mean 'position'?");
    }

    // ---------------------------------------------------------------- helpers

    private Path configFile() {
        return dir.resolve("config.yaml");
    }

    /** The file as the loader names it in messages. */
    private String file() {
        return configFile().toAbsolutePath().normalize().toString();
    }

    private ServerConfig load(String yaml) throws IOException, ConfigException {
        Files.writeString(configFile(), yaml);
        return ConfigLoader.load(configFile());
    }

    private ConfigException fail(String yaml) throws IOException {
        Files.writeString(configFile(), yaml);
        return assertThrows(ConfigException.class, () -> ConfigLoader.load(configFile()));
    }

    /** One problem names the file and line, the key path and every fragment; the message carries it too. */
    private void assertProblem(ConfigException e, int line, String keyPath, String... fragments) {
        String prefix = file() + ":" + line + ": " + (keyPath.isEmpty() ? "" : keyPath + ": ");
        List<String> candidates = e.problems().stream().filter(p -> p.startsWith(prefix)).collect(Collectors.toList());
        assertFalse(candidates.isEmpty(), "no problem starting with '" + prefix + "' in:\n" + e.getMessage());
        boolean found = candidates.stream().anyMatch(p -> List.of(fragments).stream().allMatch(p::contains));
        assertTrue(found, "no problem at '" + prefix + "' contains all of " + List.of(fragments) + " in:\n" + e.getMessage());
        assertTrue(e.getMessage().contains(candidates.get(0)), e.getMessage());
    }

    private String warning(ServerConfig config, int line, String keyPath) {
        String prefix = file() + ":" + line + ": unknown key '" + keyPath + "' is ignored";
        return config.warnings().stream().filter(w -> w.startsWith(prefix)).findFirst()
                .orElseThrow(() -> new AssertionError("no warning '" + prefix + "' in " + config.warnings()));
    }

    private void assertWarning(ServerConfig config, int line, String keyPath, String fragment) {
        String warning = warning(config, line, keyPath);
        assertTrue(warning.contains(fragment), warning);
    }
}

package org.mjpegserver.fetch;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URL;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.function.Executable;
import org.mjpegserver.testing.ConfigFile;
import org.mjpegserver.testing.Deployments;
import org.mjpegserver.testing.StreamProfile;
import org.mjpegserver.testing.StreamingCamera;

/**
 * Stream sources ask with credentials and TLS exactly as snapshot sources do (Basic, Digest, Bearer, user-info
 * in the URL, a self-signed certificate with {@code ignore_certificate_errors}), keep every secret out of
 * GET /images, and let go of the camera at once when a config edit removes or changes their image.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
final class StreamAuthIT {

    private static final Duration WAIT = Duration.ofSeconds(20);
    /** The watcher looks every 2 s; applying takes a moment more on a busy machine. */
    private static final Duration RELOAD = Duration.ofSeconds(15);
    /** How soon after its image is gone the camera must see the connection closed. */
    private static final Duration LET_GO = Duration.ofSeconds(2);
    private static final String BASIC_PASSWORD = "stream-basic-secret-1";
    private static final String DIGEST_PASSWORD = "stream-digest-secret-2";
    private static final String BEARER_TOKEN = "stream-bearer-token-3";
    private static final String USERINFO_PASSWORD = "stream-userinfo-secret-4";
    private static final String WRONG_PASSWORD = "stream-wrong-secret-5";

    /** The images that must deliver frames, by id. */
    private static final Map<String, StreamingCamera> WORKING = new LinkedHashMap<>();
    private static StreamingCamera wrong;
    private static StreamingCamera strict;
    private static StreamingCamera removed;
    private static StreamingCamera before;
    private static StreamingCamera after;
    private static Path configFile;

    @ArquillianResource
    private URL base;

    @Deployment(testable = false)
    static WebArchive deployment() {
        WORKING.put("basic", StreamingCamera.http(StreamProfile.axis()).fps(10).basic("alice", BASIC_PASSWORD));
        // Hikvision and Dahua stream behind Digest.
        WORKING.put("digest", StreamingCamera.http(StreamProfile.mjpgStreamer()).fps(10).digest("bob", DIGEST_PASSWORD));
        WORKING.put("bearer", StreamingCamera.http(StreamProfile.go2rtc()).fps(10).bearer(BEARER_TOKEN));
        WORKING.put("userinfo", StreamingCamera.http(StreamProfile.esp32()).fps(10).basic("carol", USERINFO_PASSWORD));
        WORKING.put("tls", StreamingCamera.https(StreamProfile.kasa()).fps(10));
        wrong = StreamingCamera.http(StreamProfile.axis()).fps(10).basic("dave", "the-right-one");
        strict = StreamingCamera.https(StreamProfile.kasa()).fps(10);
        removed = StreamingCamera.http(StreamProfile.motion()).fps(10);
        before = StreamingCamera.http(StreamProfile.tasmota()).fps(10);
        after = StreamingCamera.http(StreamProfile.tasmota()).fps(10);
        WebArchive war = Deployments.war(config(false));
        configFile = ConfigFile.current();
        return war;
    }

    /** The config; {@code edited}: without 'removed', and 'changed' pointing at another camera. */
    private static String config(boolean edited) {
        String host = WORKING.get("userinfo").url().substring("http://".length());
        StringBuilder yaml = new StringBuilder("""
                mjpeg-server:
                  stream_fps: 5
                  image_timeout_seconds: 5
                images:
                  basic:
                    url: '%s'
                    auth_type: basic
                    username: alice
                    password: '%s'
                  digest:
                    url: '%s'
                    auth_type: digest
                    username: bob
                    password: '%s'
                  bearer:
                    url: '%s'
                    auth_type: bearer
                    token: '%s'
                  userinfo: 'http://carol:%s@%s'
                  tls:
                    url: '%s'
                    ignore_certificate_errors: true
                  strict: '%s'
                  wrong:
                    url: '%s'
                    username: dave
                    password: '%s'
                """.formatted(WORKING.get("basic").url(), BASIC_PASSWORD, WORKING.get("digest").url(), DIGEST_PASSWORD,
                WORKING.get("bearer").url(), BEARER_TOKEN, USERINFO_PASSWORD, host, WORKING.get("tls").url(), strict.url(),
                wrong.url(), WRONG_PASSWORD));
        yaml.append("  changed: '").append((edited ? after : before).url()).append("'\n");
        if (!edited) {
            yaml.append("  removed: '").append(removed.url()).append("'\n");
        }
        return yaml.toString();
    }

    @AfterAll
    static void stopCameras() {
        WORKING.values().forEach(StreamingCamera::close);
        List.of(wrong, strict, removed, before, after).forEach(StreamingCamera::close);
    }

    private ImagesApi api() {
        return new ImagesApi(base);
    }

    @Test
    void everyWayOfGivingCredentialsOpensTheStream() {
        List<Executable> checks = new ArrayList<>();
        WORKING.forEach((id, camera) -> checks.add(() -> {
            JsonNode image = api().await(id, WAIT, "a connected stream with frames",
                    i -> i.path("source").path("connected").asBoolean() && ImagesApi.fetchesOk(i) >= 3);
            assertEquals("stream", image.path("source").path("kind").asText(), id + ": " + image);
            assertTrue(StreamingCamera.frameNumber(api().awaitSnapshot(id, WAIT, "a camera frame", jpeg -> true)) > 0, id);
            // One stream answered with 200 (Digest's challenge comes first, on the same connection).
            assertEquals(1, camera.streamsStarted(), id);
        }));
        assertAll(checks);
        assertEquals("Basic " + java.util.Base64.getEncoder().encodeToString(("carol:" + USERINFO_PASSWORD).getBytes()),
                WORKING.get("userinfo").lastRequestHeaders().get("Authorization"), "user-info becomes Basic auth");
    }

    @Test
    void aWrongPasswordOrAnUntrustedCertificateIsReported() {
        JsonNode refused = api().await("wrong", WAIT, "an error", i -> ImagesApi.lastError(i) != null);
        assertEquals("HTTP 401 Unauthorized", ImagesApi.lastError(refused));
        JsonNode untrusted = api().await("strict", WAIT, "an error", i -> ImagesApi.lastError(i) != null);
        assertTrue(ImagesApi.lastError(untrusted).startsWith("TLS failure"), untrusted.toString());
        assertEquals(0, strict.streamsStarted());
    }

    @Test
    void noSecretReachesTheImagesList() {
        api().await("userinfo", WAIT, "frames", i -> ImagesApi.fetchesOk(i) >= 1);
        String list = api().listText();
        for (String secret : List.of(BASIC_PASSWORD, DIGEST_PASSWORD, BEARER_TOKEN, USERINFO_PASSWORD, WRONG_PASSWORD)) {
            assertFalse(list.contains(secret), "GET /images shows " + secret);
        }
    }

    @Test
    void removingOrChangingAnImageClosesItsUpstreamAtOnce() {
        api().await("removed", WAIT, "connected", i -> i.path("source").path("connected").asBoolean());
        api().await("changed", WAIT, "connected", i -> i.path("source").path("connected").asBoolean());
        assertEquals(1, removed.concurrentConnections());
        assertEquals(1, before.concurrentConnections());

        ConfigFile.rewrite(configFile, config(true));
        long deadline = System.nanoTime() + RELOAD.toNanos();
        while (api().list().has("removed") || after.connections() == 0) {
            assertTrue(System.nanoTime() < deadline, "the edit was not applied within " + RELOAD.toSeconds() + " s");
            ImagesApi.pause(50);
        }
        long applied = System.nanoTime();
        awaitClosed(removed, applied, "removed");
        awaitClosed(before, applied, "changed");
        api().await("changed", WAIT, "connected to the new camera", i -> i.path("source").path("connected").asBoolean());
        assertEquals(1, after.concurrentConnections());
    }

    private static void awaitClosed(StreamingCamera camera, long since, String id) {
        while (camera.concurrentConnections() > 0) {
            assertTrue(System.nanoTime() - since < LET_GO.toNanos(), "'" + id + "': the camera still has its connection "
                    + (System.nanoTime() - since) / 1_000_000 + " ms after the edit was applied");
            ImagesApi.pause(20);
        }
    }
}

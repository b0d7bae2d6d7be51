package org.mjpegserver.fetch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mjpegserver.fetch.ImagesApi.fetchesFailed;
import static org.mjpegserver.fetch.ImagesApi.fetchesOk;
import static org.mjpegserver.fetch.ImagesApi.lastError;
import static org.mjpegserver.fetch.ImagesApi.state;

import com.fasterxml.jackson.databind.JsonNode;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URL;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import javax.imageio.ImageIO;
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
import org.mjpegserver.testing.Routes;
import org.mjpegserver.testing.TestImages;

/** image_validation modes end to end, and file: sources re-read when the file changes. */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
final class FetchValidationIT {

    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final byte[] PNG = TestImages.png(80, 60, "png camera");
    private static final byte[] FILE_FIRST = TestImages.jpeg(64, 48, "file one");
    private static final byte[] FILE_SECOND = TestImages.jpeg(96, 72, "file two, rewritten");

    private static FakeCamera camera;
    private static Path snapshotFile;

    @ArquillianResource
    private URL base;

    @Deployment(testable = false)
    static WebArchive deployment() {
        camera = FakeCamera.http();
        camera.serve("/png", Routes.image(() -> PNG, "image/png"))
                .serve("/garbage", Routes.garbage())
                .serve("/empty", Routes.image(() -> new byte[0], "image/jpeg"));
        WebArchive war = Deployments.war(""
                + "mjpeg-server:\n"
                + "  fetch_minimum_fps: 5\n"
                + "images:\n"
                + "  conversion:\n"
                + "    url: '" + camera.url("/png") + "'\n"
                + "    image_validation: conversion\n"
                + "  valid_jpeg:\n"
                + "    url: '" + camera.url("/png") + "'\n"
                + "    image_validation: valid_jpeg\n"
                + "  zero_bytes_garbage:\n"
                + "    url: '" + camera.url("/garbage") + "'\n"
                + "    image_validation: zero_bytes\n"
                + "  zero_bytes_empty:\n"
                + "    url: '" + camera.url("/empty") + "'\n"
                + "    image_validation: zero_bytes\n"
                + "  none_garbage:\n"
                + "    url: '" + camera.url("/garbage") + "'\n"
                + "    image_validation: none\n"
                + "  none_empty:\n"
                + "    url: '" + camera.url("/empty") + "'\n"
                + "    image_validation: none\n"
                + "  file:\n"
                + "    url: 'file:snapshots/cam.jpg'\n"
                + "    image_timeout_seconds: 60\n");
        // Deployments.war wrote the config into a folder of its own; the relative file: URL resolves there.
        Path folder = Path.of(System.getProperty("mjpeg.server.config")).getParent();
        try {
            snapshotFile = Files.createDirectories(folder.resolve("snapshots")).resolve("cam.jpg");
            Files.write(snapshotFile, FILE_FIRST);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return war;
    }

    @AfterAll
    static void cleanUp() throws IOException {
        camera.close();
        Files.deleteIfExists(snapshotFile);
        Files.deleteIfExists(snapshotFile.getParent());
    }

    private ImagesApi api() {
        return new ImagesApi(base);
    }

    @Test
    void conversionTurnsAPngCameraIntoJpegSnapshots() throws IOException {
        ImagesApi api = api();
        api.await("conversion", WAIT, "a good fetch", image -> fetchesOk(image) >= 1);
        HttpResponse<byte[]> snapshot = api.snapshot("conversion");
        assertEquals(200, snapshot.statusCode());
        byte[] jpeg = snapshot.body();
        assertTrue(jpeg.length > 4 && (jpeg[0] & 0xff) == 0xff && (jpeg[1] & 0xff) == 0xd8, "no JPEG SOI");
        assertTrue((jpeg[jpeg.length - 2] & 0xff) == 0xff && (jpeg[jpeg.length - 1] & 0xff) == 0xd9, "no JPEG EOI");
        BufferedImage decoded = ImageIO.read(new ByteArrayInputStream(jpeg));
        assertNotNull(decoded, "the snapshot does not decode");
        assertEquals(80, decoded.getWidth());
        assertEquals(60, decoded.getHeight());
        assertNull(lastError(api.image("conversion")));
    }

    @Test
    void validJpegRejectsAPng() {
        ImagesApi api = api();
        JsonNode image = api.await("valid_jpeg", WAIT, "a failed fetch", i -> fetchesFailed(i) >= 1);
        String error = lastError(image);
        assertNotNull(error, image.toString());
        assertTrue(error.contains("not a JPEG"), error);
        assertEquals(0, fetchesOk(image));
        assertEquals(503, api.snapshot("valid_jpeg").statusCode());
    }

    @Test
    void zeroBytesAcceptsGarbageButNotAnEmptyBody() {
        ImagesApi api = api();
        api.await("zero_bytes_garbage", WAIT, "a good fetch", image -> fetchesOk(image) >= 1);
        // Routes.garbage: 4096 random bytes starting with 'G', passed on as they are.
        byte[] body = api.awaitSnapshot("zero_bytes_garbage", WAIT, "the garbage", b -> b.length == 4096);
        assertEquals('G', body[0]);
        assertNull(lastError(api.image("zero_bytes_garbage")));

        JsonNode empty = api.await("zero_bytes_empty", WAIT, "a failed fetch", image -> fetchesFailed(image) >= 1);
        assertEquals("empty body", lastError(empty));
        assertEquals(0, fetchesOk(empty));
    }

    @Test
    void noneChecksNothing() {
        ImagesApi api = api();
        api.await("none_garbage", WAIT, "a good fetch", image -> fetchesOk(image) >= 1);
        byte[] body = api.awaitSnapshot("none_garbage", WAIT, "the garbage", b -> b.length == 4096);
        assertEquals('G', body[0]);
        JsonNode empty = api.await("none_empty", WAIT, "a good fetch", image -> fetchesOk(image) >= 1);
        assertEquals(0, fetchesFailed(empty), empty.toString());
        assertNull(lastError(empty));
    }

    @Test
    void fileSourceFollowsRewritesAndFailsWhenTheFileIsGone() throws IOException {
        ImagesApi api = api();
        assertArrayEquals(FILE_FIRST, api.awaitSnapshot("file", WAIT, "the first file", b -> Arrays.equals(b, FILE_FIRST)));
        // An unchanged file is a live source: fetches keep counting as good.
        long ok = fetchesOk(api.image("file"));
        api.await("file", WAIT, "more good fetches", image -> fetchesOk(image) > ok + 2);

        Files.write(snapshotFile, FILE_SECOND);
        // A modification time clearly later, whatever the file system's time resolution.
        Files.setLastModifiedTime(snapshotFile, FileTime.from(Instant.now().plusSeconds(5)));
        assertArrayEquals(FILE_SECOND, api.awaitSnapshot("file", WAIT, "the rewritten file", b -> Arrays.equals(b, FILE_SECOND)));

        Files.delete(snapshotFile);
        JsonNode failing = api.await("file", WAIT, "failed fetches", image -> fetchesFailed(image) >= 2);
        assertEquals("file not found: cam.jpg", lastError(failing));
        assertEquals("failing", state(failing));
        // Within the 60 s timeout the last frame stays.
        assertArrayEquals(FILE_SECOND, api.snapshot("file").body());
    }
}

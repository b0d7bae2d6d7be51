package org.mjpegserver.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.mjpegserver.config.ConfigLoader;
import org.mjpegserver.config.ImageSettings;
import org.mjpegserver.config.Validation;
import org.mjpegserver.testing.TestImages;

final class FrameValidatorTest {

    private static final byte[] JPEG = TestImages.jpeg(320, 240, "cam");
    private static final byte[] PNG = TestImages.png(320, 240, "cam");
    private static final byte[] GARBAGE = randomBytes(4096);
    private static final byte[] EMPTY = new byte[0];

    /** Generous: a pre-decode refusal takes milliseconds, decoding 3 gigapixels would take minutes or run out of memory. */
    private static final Duration QUICKLY = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    // ---------------------------------------------------------------- valid_jpeg

    @Test
    void validJpegPassesAJpegUnchanged() throws Exception {
        byte[] out = validator(Validation.VALID_JPEG).validate(JPEG);
        assertArrayEquals(JPEG, out);
        assertSame(JPEG, out, "no copy, no re-encoding");
    }

    @Test
    void validJpegPassesTrailingLineEndsAndPaddingUnchanged() throws Exception {
        // Some cameras end the body with CRLF or NUL padding after EOI.
        byte[] padded = concat(JPEG, "\r\n".getBytes(StandardCharsets.US_ASCII), new byte[] {0, 0});
        assertArrayEquals(padded, validator(Validation.VALID_JPEG).validate(padded));
    }

    @Test
    void validJpegPassesACmykJpegUnchanged() throws Exception {
        byte[] cmyk = TestImages.cmykJpeg(64, 32);
        assertArrayEquals(cmyk, validator(Validation.VALID_JPEG).validate(cmyk));
    }

    @Test
    void validJpegRejectsPng() {
        assertRejected(Validation.VALID_JPEG, PNG, "not a JPEG");
    }

    @Test
    void validJpegRejectsGarbage() {
        assertRejected(Validation.VALID_JPEG, GARBAGE, "not a JPEG");
        assertRejected(Validation.VALID_JPEG, "<html><body>Login</body></html>".getBytes(StandardCharsets.US_ASCII), "not a JPEG");
    }

    @Test
    void validJpegRejectsGarbageBetweenJpegMarkers() {
        // Passes the SOI/EOI framing check, so the decoder has to refuse it.
        byte[] framed = concat(new byte[] {(byte) 0xFF, (byte) 0xD8}, GARBAGE, new byte[] {(byte) 0xFF, (byte) 0xD9});
        assertThrows(InvalidImageException.class, () -> validator(Validation.VALID_JPEG).validate(framed));
    }

    @Test
    void validJpegRejectsEmpty() {
        assertRejected(Validation.VALID_JPEG, EMPTY, "empty body");
    }

    @Test
    void validJpegRejectsATruncatedJpeg() {
        byte[] half = Arrays.copyOf(JPEG, JPEG.length / 2);
        assertRejected(Validation.VALID_JPEG, half, "truncated");
    }

    @Test
    void validJpegRejectsATruncatedJpegWithAnEndMarkerStuckOn() {
        // The framing check passes; the decoder's "premature end" warning must still reject it.
        byte[] half = concat(Arrays.copyOf(JPEG, JPEG.length / 2), new byte[] {(byte) 0xFF, (byte) 0xD9});
        assertRejected(Validation.VALID_JPEG, half, "damaged image");
    }

    @Test
    void validJpegRejectsAMarkerInTheMiddleOfTheScan() {
        // Three quarters in is entropy-coded data of every component: a stray restart marker there ends the scan
        // early, which the decoder only warns about. The check decodes in grey, and must still see it.
        int at = JPEG.length * 3 / 4;
        byte[] damaged = concat(Arrays.copyOf(JPEG, at), new byte[] {(byte) 0xFF, (byte) 0xD3},
                Arrays.copyOfRange(JPEG, at, JPEG.length));
        assertRejected(Validation.VALID_JPEG, damaged, "damaged image");
    }

    @Test
    void validJpegPassesAGreyJpegUnchanged() throws Exception {
        BufferedImage grey = new BufferedImage(160, 120, BufferedImage.TYPE_BYTE_GRAY);
        Graphics2D g = grey.createGraphics();
        g.setColor(Color.WHITE);
        g.drawString("grey", 20, 60);
        g.dispose();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ImageIO.write(grey, "jpeg", bytes);
        byte[] jpeg = bytes.toByteArray();
        assertSame(jpeg, validator(Validation.VALID_JPEG).validate(jpeg));
    }

    @Test
    void validJpegJudgesAFrameThatDiffersFromTheLastAcceptedOneOnlyInAByte() throws Exception {
        // The last accepted frame is remembered so that an unchanged picture is not judged again: only the very same
        // bytes may pass unjudged, never a frame of the same length with damage in its scan data.
        FrameValidator validator = validator(Validation.VALID_JPEG);
        assertSame(JPEG, validator.validate(JPEG));
        assertSame(JPEG, validator.validate(JPEG));
        byte[] copy = JPEG.clone();
        assertSame(copy, validator.validate(copy), "equal bytes in another array pass as well");
        byte[] cut = JPEG.clone();
        cut[cut.length - 40] = (byte) 0xFF; // a restart marker where the last blocks' data was: the scan ends early
        cut[cut.length - 39] = (byte) 0xD3;
        assertThrows(InvalidImageException.class, () -> validator.validate(cut));
        assertThrows(InvalidImageException.class, () -> validator.validate(cut), "a refusal is not remembered as a pass");
        assertSame(JPEG, validator.validate(JPEG));
    }

    @Test
    void validJpegRejectsAHugeDeclaredSizeBeforeDecoding() {
        byte[] huge = TestImages.jpegDeclaring(60000, 50000);
        InvalidImageException e = assertTimeoutPreemptively(QUICKLY,
                () -> assertThrows(InvalidImageException.class, () -> validator(Validation.VALID_JPEG).validate(huge)));
        assertTrue(e.getMessage().contains("60000x50000"), e.getMessage());
        assertTrue(e.getMessage().contains("exceeds the limit of " + ImageSettings.DEFAULTS.maxImagePixels()), e.getMessage());
    }

    // ---------------------------------------------------------------- conversion

    static Stream<Arguments> convertible() {
        return Stream.of(
                Arguments.of(Named.of("PNG", TestImages.png(320, 240, "png")), 320, 240),
                Arguments.of(Named.of("GIF", TestImages.gif(200, 150, "gif")), 200, 150),
                Arguments.of(Named.of("BMP", TestImages.bmp(161, 97, "bmp")), 161, 97),
                Arguments.of(Named.of("CMYK JPEG", TestImages.cmykJpeg(64, 32)), 64, 32),
                Arguments.of(Named.of("progressive JPEG", progressiveJpeg(120, 90)), 120, 90),
                Arguments.of(Named.of("PNG with alpha", argbPng(80, 60)), 80, 60),
                Arguments.of(Named.of("grey PNG", greyPng(50, 40)), 50, 40));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("convertible")
    void conversionMakesABaseline420Jpeg(byte[] input, int width, int height) throws Exception {
        byte[] out = validator(Validation.CONVERSION).validate(input);

        BufferedImage decoded = ImageIO.read(new ByteArrayInputStream(out));
        assertNotNull(decoded, "the output decodes");
        assertEquals(width, decoded.getWidth());
        assertEquals(height, decoded.getHeight());

        Sof sof = sof(out);
        assertEquals(List.of(0xC0), sof.markers(), "a single baseline SOF0 frame header");
        assertEquals(width, sof.width());
        assertEquals(height, sof.height());
        assertEquals(3, sof.sampling().size(), "Y, Cb, Cr");
        assertEquals(List.of(0x22, 0x11, 0x11), sof.sampling(), "4:2:0 chroma subsampling");
        // And it is what valid_jpeg accepts, unchanged.
        assertArrayEquals(out, validator(Validation.VALID_JPEG).validate(out));
    }

    @Test
    void conversionTurnsCmykIntoTheRightColours() throws Exception {
        byte[] out = validator(Validation.CONVERSION).validate(TestImages.cmykJpeg(64, 32));
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(out));
        // Left half cyan, right half magenta, as TestImages paints it.
        assertRgbNear(0x00FFFF, image.getRGB(8, 16));
        assertRgbNear(0xFF00FF, image.getRGB(56, 16));
    }

    @Test
    void conversionRejectsAHugeDeclaredPngBeforeDecoding() {
        byte[] huge = TestImages.pngDeclaring(100_000, 100_000);
        InvalidImageException e = assertTimeoutPreemptively(QUICKLY,
                () -> assertThrows(InvalidImageException.class, () -> validator(Validation.CONVERSION).validate(huge)));
        assertTrue(e.getMessage().contains("100000x100000"), e.getMessage());
        assertTrue(e.getMessage().contains("exceeds the limit"), e.getMessage());
    }

    @Test
    void conversionRejectsGarbageAndEmpty() {
        assertRejected(Validation.CONVERSION, GARBAGE, "not an image");
        assertRejected(Validation.CONVERSION, EMPTY, "empty body");
    }

    @Test
    void conversionRejectsATruncatedPng() {
        byte[] half = Arrays.copyOf(PNG, PNG.length / 2);
        assertThrows(InvalidImageException.class, () -> validator(Validation.CONVERSION).validate(half));
    }

    // ---------------------------------------------------------------- zero_bytes and none

    @Test
    void zeroBytesRejectsOnlyAnEmptyBody() throws Exception {
        FrameValidator validator = validator(Validation.ZERO_BYTES);
        assertRejected(Validation.ZERO_BYTES, EMPTY, "empty body");
        for (byte[] body : List.of(JPEG, PNG, GARBAGE, new byte[] {0})) {
            assertSame(body, validator.validate(body));
        }
    }

    @Test
    void nonePassesAnything() throws Exception {
        FrameValidator validator = validator(Validation.NONE);
        for (byte[] body : List.of(JPEG, PNG, GARBAGE, EMPTY, TestImages.jpegDeclaring(60000, 50000))) {
            assertSame(body, validator.validate(body));
        }
    }

    // ---------------------------------------------------------------- max_image_pixels

    @Test
    void maxImagePixelsOverrideIsRespected() throws Exception {
        int pixels = 320 * 240;
        for (Validation validation : List.of(Validation.VALID_JPEG, Validation.CONVERSION)) {
            InvalidImageException e = assertThrows(InvalidImageException.class,
                    () -> validator(validation, pixels - 1).validate(JPEG), validation.name());
            assertTrue(e.getMessage().contains("320x240") && e.getMessage().contains("limit of " + (pixels - 1)),
                    e.getMessage());
            assertNotNull(validator(validation, pixels).validate(JPEG), "exactly at the limit is fine");
        }
        assertThrows(InvalidImageException.class, () -> validator(Validation.CONVERSION, 10_000).validate(PNG));
    }

    @Test
    void maxImagePixelsFromTheConfigFileReachesTheValidator() throws Exception {
        Path file = dir.resolve("config.yaml");
        Files.writeString(file, """
                mjpeg-server:
                  max_image_pixels: 20000
                images:
                  small:
                    url: http://cam.local/a.jpg
                  large:
                    url: http://cam.local/b.jpg
                    max_image_pixels: 100000
                """);
        var images = ConfigLoader.load(file).images();
        FrameValidator small = new FrameValidator(images.get("small").settings());
        FrameValidator large = new FrameValidator(images.get("large").settings());
        InvalidImageException e = assertThrows(InvalidImageException.class, () -> small.validate(JPEG));
        assertTrue(e.getMessage().contains("limit of 20000"), e.getMessage());
        assertArrayEquals(JPEG, large.validate(JPEG));
    }

    // ---------------------------------------------------------------- helpers

    private static FrameValidator validator(Validation validation) {
        return validator(validation, ImageSettings.DEFAULTS.maxImagePixels());
    }

    private static FrameValidator validator(Validation validation, long maxPixels) {
        ImageSettings d = ImageSettings.DEFAULTS;
        return new FrameValidator(new ImageSettings(d.streamFps(), d.fetchMinimumFps(), d.fetchMaximumFps(),
                d.imageTimeout(), d.imageTimeoutBehavior(), validation, d.ignoreCertificateErrors(), d.staleImagePath(),
                d.fetchAgentString(), d.maxImageBytes(), maxPixels, d.accessToken(),
                d.readTimeout(), d.closeAfterLastViewer()));
    }

    private static void assertRejected(Validation validation, byte[] body, String messagePart) {
        InvalidImageException e = assertThrows(InvalidImageException.class, () -> validator(validation).validate(body));
        assertNotNull(e.getMessage());
        assertTrue(e.getMessage().contains(messagePart), "expected '" + messagePart + "' in: " + e.getMessage());
    }

    /** The frame header(s) of a JPEG: every SOFn marker seen before SOS, and the first one's size and sampling. */
    private record Sof(List<Integer> markers, int width, int height, List<Integer> sampling) {
    }

    private static Sof sof(byte[] jpeg) {
        assertTrue(jpeg.length > 4 && (jpeg[0] & 0xFF) == 0xFF && (jpeg[1] & 0xFF) == 0xD8, "starts with SOI");
        List<Integer> markers = new ArrayList<>();
        int width = -1;
        int height = -1;
        List<Integer> sampling = new ArrayList<>();
        int i = 2;
        while (i + 4 <= jpeg.length) {
            assertEquals(0xFF, jpeg[i] & 0xFF, "marker expected at offset " + i);
            int marker = jpeg[i + 1] & 0xFF;
            if (marker == 0xFF) {
                i++; // fill byte
                continue;
            }
            if (marker == 0xDA) {
                break;
            }
            int length = ((jpeg[i + 2] & 0xFF) << 8) | (jpeg[i + 3] & 0xFF);
            boolean isSof = marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
            if (isSof) {
                markers.add(marker);
                if (markers.size() == 1) {
                    // FF Cn, length(2), precision(1), height(2), width(2), components(1), then id, HV, Tq each
                    assertEquals(8, jpeg[i + 4] & 0xFF, "8-bit samples");
                    height = ((jpeg[i + 5] & 0xFF) << 8) | (jpeg[i + 6] & 0xFF);
                    width = ((jpeg[i + 7] & 0xFF) << 8) | (jpeg[i + 8] & 0xFF);
                    int components = jpeg[i + 9] & 0xFF;
                    for (int c = 0; c < components; c++) {
                        sampling.add(jpeg[i + 10 + 3 * c + 1] & 0xFF);
                    }
                }
            }
            i += 2 + length;
        }
        return new Sof(markers, width, height, sampling);
    }

    private static byte[] progressiveJpeg(int width, int height) {
        BufferedImage image = readImage(TestImages.png(width, height, "prog"));
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (MemoryCacheImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
            writer.setOutput(out);
            ImageWriteParam param = writer.getDefaultWriteParam();
            param.setProgressiveMode(ImageWriteParam.MODE_DEFAULT);
            writer.write(null, new IIOImage(image, null, null), param);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            writer.dispose();
        }
        byte[] jpeg = bytes.toByteArray();
        assertEquals(List.of(0xC2), sof(jpeg).markers(), "the input really is progressive");
        return jpeg;
    }

    private static byte[] argbPng(int width, int height) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_ARGB);
        Graphics2D g = image.createGraphics();
        g.setColor(new Color(255, 0, 0, 128));
        g.fillRect(0, 0, width / 2, height);
        g.dispose();
        return writeImage(image, "png");
    }

    private static byte[] greyPng(int width, int height) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY);
        Graphics2D g = image.createGraphics();
        g.setColor(Color.LIGHT_GRAY);
        g.fillRect(0, 0, width / 2, height);
        g.dispose();
        return writeImage(image, "png");
    }

    private static BufferedImage readImage(byte[] bytes) {
        try {
            return ImageIO.read(new ByteArrayInputStream(bytes));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] writeImage(BufferedImage image, String format) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            assertTrue(ImageIO.write(image, format, out), "no writer for " + format);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    private static byte[] randomBytes(int n) {
        byte[] bytes = new byte[n];
        new Random(42).nextBytes(bytes);
        bytes[0] = 'x'; // whatever the seed gives, not a JPEG or PNG signature
        return bytes;
    }

    private static void assertRgbNear(int expected, int actual) {
        for (int shift = 0; shift <= 16; shift += 8) {
            int e = (expected >> shift) & 0xFF;
            int a = (actual >> shift) & 0xFF;
            assertTrue(Math.abs(e - a) < 40, String.format("expected ~#%06X, got #%06X", expected, actual & 0xFFFFFF));
        }
    }
}

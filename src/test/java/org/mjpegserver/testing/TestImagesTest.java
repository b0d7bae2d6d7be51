package org.mjpegserver.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import org.junit.jupiter.api.Test;

class TestImagesTest {

    @Test
    void everyFormatDecodesAndLabelsChangeThePixels() throws IOException {
        for (byte[] bytes : new byte[][] {
            TestImages.jpeg(320, 240, "A"), TestImages.png(320, 240, "A"),
            TestImages.gif(320, 240, "A"), TestImages.bmp(320, 240, "A")}) {
            BufferedImage image = ImageIO.read(new ByteArrayInputStream(bytes));
            assertEquals(320, image.getWidth());
            assertEquals(240, image.getHeight());
        }
        BufferedImage a = ImageIO.read(new ByteArrayInputStream(TestImages.png(64, 48, "cam-1")));
        BufferedImage b = ImageIO.read(new ByteArrayInputStream(TestImages.png(64, 48, "cam-2")));
        assertNotEquals(a.getRGB(1, 1), b.getRGB(1, 1));
    }

    @Test
    void cmykJpegDecodesWithTwelveMonkeys() throws IOException {
        byte[] cmyk = TestImages.cmykJpeg(64, 32);
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(cmyk))) {
            ImageReader reader = twelveMonkeysJpegReader();
            reader.setInput(in);
            BufferedImage image = reader.read(0);
            assertEquals(64, image.getWidth());
            assertEquals(4, reader.getRawImageType(0).getNumBands());
            // Left half cyan, right half magenta (JPEG is lossy, so compare loosely).
            assertRgbNear(0x00FFFF, image.getRGB(8, 16));
            assertRgbNear(0xFF00FF, image.getRGB(56, 16));
            reader.dispose();
        }
    }

    @Test
    void declaredDimensionsArePatched() throws IOException {
        byte[] jpeg = TestImages.jpegDeclaring(60000, 50000);
        ImageReader jpegReader = reader(jpeg);
        assertEquals(60000, jpegReader.getWidth(0));
        assertEquals(50000, jpegReader.getHeight(0));
        assertThrows(IllegalArgumentException.class, () -> TestImages.jpegDeclaring(100_000, 10));

        ImageReader pngReader = reader(TestImages.pngDeclaring(100_000, 100_000));
        assertEquals(100_000, pngReader.getWidth(0));
        assertEquals(100_000, pngReader.getHeight(0));
    }

    @Test
    void commentRoundTrips() throws IOException {
        byte[] plain = TestImages.jpeg(32, 32, "c");
        assertNull(TestImages.comment(plain));
        byte[] tagged = TestImages.withComment(plain, "seq=42 ü");
        assertEquals("seq=42 ü", TestImages.comment(tagged));
        assertArrayEquals(new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, (byte) 0xFE},
                Arrays.copyOf(tagged, 4));
        assertEquals(32, ImageIO.read(new ByteArrayInputStream(tagged)).getWidth());
    }

    private static ImageReader reader(byte[] bytes) throws IOException {
        ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(bytes));
        ImageReader reader = ImageIO.getImageReaders(in).next();
        reader.setInput(in);
        return reader;
    }

    private static ImageReader twelveMonkeysJpegReader() {
        Iterator<ImageReader> readers = ImageIO.getImageReadersByFormatName("jpeg");
        while (readers.hasNext()) {
            ImageReader reader = readers.next();
            if (reader.getClass().getName().startsWith("com.twelvemonkeys.")) {
                return reader;
            }
        }
        throw new AssertionError("TwelveMonkeys JPEG reader is not on the classpath");
    }

    private static void assertRgbNear(int expected, int actual) {
        for (int shift = 0; shift <= 16; shift += 8) {
            int e = (expected >> shift) & 0xFF;
            int a = (actual >> shift) & 0xFF;
            assertTrue(Math.abs(e - a) < 40,
                    String.format("expected ~#%06X, got #%06X", expected, actual & 0xFFFFFF));
        }
    }
}

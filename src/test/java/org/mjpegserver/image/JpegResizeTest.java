package org.mjpegserver.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.mjpegserver.testing.TestImages;

final class JpegResizeTest {

    private static final long MAX_PIXELS = 50_000_000;
    private static final float QUALITY = 0.85f;

    @Test
    void scalesDownKeepingTheAspect() throws Exception {
        JpegResize resize = new JpegResize(TestImages.jpeg(1280, 720, "hd"), MAX_PIXELS, QUALITY);
        assertEquals(new JpegDimensions(320, 180), JpegDimensions.of(resize.toWidth(320)));
        assertEquals(new JpegDimensions(80, 45), JpegDimensions.of(resize.toWidth(80)), "the same decode serves a second width");
        BufferedImage decoded = JpegCodec.decode(resize.toWidth(640), true, MAX_PIXELS);
        assertEquals(640, decoded.getWidth());
        assertEquals(360, decoded.getHeight());
    }

    @Test
    void encodesAtTheQualityGiven() throws Exception {
        byte[] hd = TestImages.jpeg(1280, 720, "hd");
        int low = new JpegResize(hd, MAX_PIXELS, 0.3f).toWidth(640).length;
        int high = new JpegResize(hd, MAX_PIXELS, 0.95f).toWidth(640).length;
        assertTrue(low < high * 0.8, low + " bytes at 30, " + high + " at 95");
    }

    @Test
    void aSourceNotWiderIsPassedThrough() throws Exception {
        byte[] small = TestImages.jpeg(300, 200, "small");
        assertSame(small, new JpegResize(small, MAX_PIXELS, QUALITY).toWidth(320));
        assertSame(small, new JpegResize(small, MAX_PIXELS, QUALITY).toWidth(300));
    }

    /**
     * Columns alternating black and white, at a quarter of their width: a filter averages them to grey, where
     * nearest-neighbour sampling would pick one colour of the pair, all black or all white.
     */
    @Test
    void filtersRatherThanPicksPixels() throws Exception {
        BufferedImage stripes = new BufferedImage(1280, 720, BufferedImage.TYPE_INT_RGB);
        for (int x = 0; x < stripes.getWidth(); x += 2) {
            for (int y = 0; y < stripes.getHeight(); y++) {
                stripes.setRGB(x, y, 0xffffff);
            }
        }
        BufferedImage small = JpegCodec.decode(new JpegResize(JpegCodec.encode(stripes), MAX_PIXELS, QUALITY).toWidth(320), true, MAX_PIXELS);
        for (int x = 10; x < 310; x += 7) {
            int grey = small.getRGB(x, 90) & 0xff;
            assertTrue(grey > 96 && grey < 160, "pixel " + x + " is " + grey + ", not grey");
        }
    }

    @Test
    void bytesThatDoNotDecodeAreRefusedWithAReason() {
        InvalidImageException e = assertThrows(InvalidImageException.class,
                () -> new JpegResize("not a picture".getBytes(StandardCharsets.US_ASCII), MAX_PIXELS, QUALITY).toWidth(320));
        assertTrue(e.getMessage().startsWith("not an image"), e.getMessage());
        assertThrows(InvalidImageException.class, () -> new JpegResize(TestImages.jpegDeclaring(20_000, 20_000), MAX_PIXELS, QUALITY).toWidth(320));
    }
}

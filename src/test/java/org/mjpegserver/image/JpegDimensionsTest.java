package org.mjpegserver.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.mjpegserver.testing.TestImages;

final class JpegDimensionsTest {

    @Test
    void readsTheFrameHeader() {
        assertEquals(new JpegDimensions(1280, 720), JpegDimensions.of(TestImages.jpeg(1280, 720, "hd")));
        assertEquals(new JpegDimensions(33, 1), JpegDimensions.of(TestImages.jpeg(33, 1, "thin")));
        assertEquals(new JpegDimensions(40, 30), JpegDimensions.of(TestImages.withComment(TestImages.jpeg(40, 30, "c"), "a comment first")));
        assertEquals(new JpegDimensions(64, 48), JpegDimensions.of(TestImages.cmykJpeg(64, 48)));
    }

    @Test
    void nullForWhatHasNone() {
        byte[] jpeg = TestImages.jpeg(64, 48, "cut");
        assertNull(JpegDimensions.of(new byte[0]));
        assertNull(JpegDimensions.of(TestImages.png(64, 48, "png")));
        assertNull(JpegDimensions.of(Arrays.copyOf(jpeg, 20)), "cut before the frame header");
        assertNull(JpegDimensions.of(new byte[] {(byte) 0xff, (byte) 0xd8, (byte) 0xff, (byte) 0xd9}));
    }
}

package org.mjpegserver.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mjpegserver.testing.TestImages.quadrantAt;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Instant;
import java.time.ZoneOffset;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.mjpegserver.config.Shaping;
import org.mjpegserver.testing.TestImages;

final class FrameShaperTest {

    private static final long MAX_PIXELS = 50_000_000L;
    private static final Instant ARRIVED = Instant.parse("2026-12-07T16:51:21Z");
    private static final int TOP_LEFT = 0;
    private static final int TOP_RIGHT = 1;
    private static final int BOTTOM_LEFT = 2;
    private static final int BOTTOM_RIGHT = 3;
    private static final byte[] QUADRANTS = TestImages.quadrantsJpeg(160, 120);
    private static final Shaping.TimestampOverlay UTC_OVERLAY =
            new Shaping.TimestampOverlay(Shaping.Corner.TOP_LEFT, false, "yyyy-MM-dd HH:mm:ss", ZoneOffset.UTC);

    // ---------------------------------------------------------------- pass-through

    @Test
    void aFrameNeedingNoShapingIsTheSameArray() throws Exception {
        assertSame(QUADRANTS, shaper(Shaping.NONE).shape(QUADRANTS, ARRIVED));
        assertTrue(shaper(Shaping.NONE).passesThrough());
        // jpeg_quality alone applies to re-encoded frames only: no re-encode for it.
        Shaping qualityOnly = new Shaping(0, null, 0, 0, 40, null);
        assertSame(QUADRANTS, shaper(qualityOnly).shape(QUADRANTS, ARRIVED));
        // Garbage passes too: without shaping, the validator alone judges a body.
        byte[] garbage = {1, 2, 3};
        assertSame(garbage, shaper(Shaping.NONE).shape(garbage, ARRIVED));
    }

    @Test
    void aFrameAlreadyWithinTheLimitsKeepsItsBytes() throws Exception {
        Shaping limits = new Shaping(0, null, 1920, 1080, 85, null);
        assertFalse(shaper(limits).passesThrough());
        assertSame(QUADRANTS, shaper(limits).shape(QUADRANTS, ARRIVED), "max_width never scales up, so nothing to do");
    }

    // ---------------------------------------------------------------- rotate

    @ParameterizedTest
    @CsvSource({"90, 120, 160, 2, 0, 3, 1", "180, 160, 120, 3, 2, 1, 0", "270, 120, 160, 1, 3, 0, 2"})
    void rotateTurnsClockwiseAndMovesEveryCorner(int degrees, int width, int height,
            int topLeft, int topRight, int bottomLeft, int bottomRight) throws Exception {
        BufferedImage out = decode(shaper(new Shaping(degrees, null, 0, 0, 95, null)).shape(QUADRANTS, ARRIVED));
        assertEquals(width, out.getWidth());
        assertEquals(height, out.getHeight());
        // Turned 90 clockwise, the red top-left quarter comes to the top right, the blue bottom-left to the top left.
        assertEquals(topLeft, quadrantAt(out, 5, 5), "top left");
        assertEquals(topRight, quadrantAt(out, width - 6, 5), "top right");
        assertEquals(bottomLeft, quadrantAt(out, 5, height - 6), "bottom left");
        assertEquals(bottomRight, quadrantAt(out, width - 6, height - 6), "bottom right");
    }

    @Test
    void aGreyJpegIsTurnedToo() throws Exception {
        BufferedImage grey = new BufferedImage(64, 32, BufferedImage.TYPE_BYTE_GRAY);
        Graphics2D g = grey.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, 16, 16);
        g.dispose();
        BufferedImage out = decode(shaper(new Shaping(90, null, 0, 0, 95, null)).shape(JpegCodec.encode(grey), ARRIVED));
        assertEquals(32, out.getWidth());
        assertEquals(64, out.getHeight());
        assertTrue((out.getRGB(28, 4) & 0xff) > 200, "the white top-left block is now top right");
        assertTrue((out.getRGB(4, 4) & 0xff) < 50);
    }

    // ---------------------------------------------------------------- crop

    @Test
    void cropInPercentKeepsThatPartOfTheSource() throws Exception {
        // The right half: green above, white below.
        Shaping.Crop rightHalf = crop("50%", "0", "50%", "100%");
        BufferedImage out = decode(shaper(new Shaping(0, rightHalf, 0, 0, 95, null)).shape(QUADRANTS, ARRIVED));
        assertEquals(80, out.getWidth());
        assertEquals(120, out.getHeight());
        assertEquals(TOP_RIGHT, quadrantAt(out, 5, 5));
        assertEquals(TOP_RIGHT, quadrantAt(out, 74, 54));
        assertEquals(BOTTOM_RIGHT, quadrantAt(out, 5, 114));
    }

    @Test
    void cropInPixelsIsExact() throws Exception {
        // 20x20 from (70, 50): the centre, a 10x10 corner of each quarter.
        Shaping.Crop centre = crop("70", "50", "20", "20");
        BufferedImage out = decode(shaper(new Shaping(0, centre, 0, 0, 100, null)).shape(QUADRANTS, ARRIVED));
        assertEquals(20, out.getWidth());
        assertEquals(20, out.getHeight());
        assertEquals(TOP_LEFT, quadrantAt(out, 2, 2));
        assertEquals(TOP_RIGHT, quadrantAt(out, 17, 2));
        assertEquals(BOTTOM_LEFT, quadrantAt(out, 2, 17));
        assertEquals(BOTTOM_RIGHT, quadrantAt(out, 17, 17));
    }

    @Test
    void cropIsTakenBeforeTheTurn() throws Exception {
        Shaping.Crop topHalf = crop("0", "0", "100%", "50%");
        BufferedImage out = decode(shaper(new Shaping(90, topHalf, 0, 0, 95, null)).shape(QUADRANTS, ARRIVED));
        assertEquals(60, out.getWidth());
        assertEquals(160, out.getHeight());
        assertEquals(TOP_LEFT, quadrantAt(out, 30, 5), "red, the top half's left end, turned to the top");
        assertEquals(TOP_RIGHT, quadrantAt(out, 30, 154));
    }

    @Test
    void aCropPastTheEdgeIsCutAtTheEdgeAndOneOutsideThePictureFailsTheFrame() throws Exception {
        BufferedImage out = decode(shaper(new Shaping(0, crop("100", "100", "500", "500"), 0, 0, 95, null)).shape(QUADRANTS, ARRIVED));
        assertEquals(60, out.getWidth());
        assertEquals(20, out.getHeight());

        InvalidImageException e = assertThrows(InvalidImageException.class,
                () -> shaper(new Shaping(0, crop("200", "0", "10", "10"), 0, 0, 95, null)).shape(QUADRANTS, ARRIVED));
        assertEquals("crop at x 200, y 0 starts outside the 160x120 picture", e.getMessage());
    }

    // ---------------------------------------------------------------- scale

    @ParameterizedTest
    @CsvSource({"320, 0, 320, 180", "0, 90, 160, 90", "320, 90, 160, 90", "640, 720, 640, 360", "1000, 0, 1000, 563"})
    void maxWidthAndHeightScaleDownKeepingTheAspect(int maxWidth, int maxHeight, int width, int height) throws Exception {
        byte[] source = TestImages.quadrantsJpeg(1280, 720);
        BufferedImage out = decode(shaper(new Shaping(0, null, maxWidth, maxHeight, 90, null)).shape(source, ARRIVED));
        assertEquals(width, out.getWidth());
        assertEquals(height, out.getHeight());
        assertEquals(TOP_LEFT, quadrantAt(out, 3, 3));
        assertEquals(BOTTOM_RIGHT, quadrantAt(out, width - 4, height - 4));
    }

    @Test
    void maxNeverScalesUpAPictureThatIsRotatedAnyway() throws Exception {
        BufferedImage out = decode(shaper(new Shaping(180, null, 4000, 4000, 95, null)).shape(QUADRANTS, ARRIVED));
        assertEquals(160, out.getWidth());
        assertEquals(120, out.getHeight());
    }

    @Test
    void aQuarterSizeIsFilteredNotSampled() throws Exception {
        // One-pixel checks: nearest-neighbour sampling would keep only black or only white pixels (or stripes).
        BufferedImage checks = new BufferedImage(1280, 720, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 720; y++) {
            for (int x = 0; x < 1280; x++) {
                checks.setRGB(x, y, (x + y) % 2 == 0 ? 0xffffff : 0);
            }
        }
        BufferedImage out = decode(shaper(new Shaping(0, null, 320, 0, 100, null)).shape(png(checks), ARRIVED));
        assertEquals(320, out.getWidth());
        for (int y = 0; y < out.getHeight(); y++) {
            for (int x = 0; x < out.getWidth(); x++) {
                int grey = out.getRGB(x, y) & 0xff;
                assertTrue(Math.abs(grey - 128) <= 12, "pixel " + x + "," + y + " is " + grey + ", not the average grey");
            }
        }
    }

    // ---------------------------------------------------------------- quality

    @Test
    void jpegQualityChangesTheSizeOfReEncodedFrames() throws Exception {
        byte[] photo = TestImages.jpeg(640, 480, "a busy picture with text to encode");
        byte[] low = shaper(new Shaping(180, null, 0, 0, 20, null)).shape(photo, ARRIVED);
        byte[] high = shaper(new Shaping(180, null, 0, 0, 98, null)).shape(photo, ARRIVED);
        assertTrue(low.length * 2 < high.length, "quality 20: " + low.length + " bytes, quality 98: " + high.length);
    }

    // ---------------------------------------------------------------- timestamp overlay

    @ParameterizedTest
    @CsvSource({"TOP_LEFT, 0, 0", "TOP_RIGHT, 1, 0", "BOTTOM_LEFT, 0, 1", "BOTTOM_RIGHT, 1, 1"})
    void theOverlayIsDrawnInTheChosenCornerAndNowhereElse(Shaping.Corner corner, int right, int bottom) throws Exception {
        Shaping.TimestampOverlay overlay = new Shaping.TimestampOverlay(corner, true, "HH:mm:ss", ZoneOffset.UTC);
        BufferedImage out = decode(shaper(new Shaping(0, null, 0, 0, 95, overlay)).shape(solid(320, 180, Color.WHITE), ARRIVED));
        for (int cx = 0; cx < 2; cx++) {
            for (int cy = 0; cy < 2; cy++) {
                Corner stats = corner(out, cx, cy);
                if (cx == right && cy == bottom) {
                    assertTrue(stats.dark > 200 && stats.bright > 30, "box and text expected in " + corner + ": " + stats);
                } else {
                    assertEquals(0, stats.dark, "nothing drawn in the corner " + cx + "," + cy);
                }
            }
        }
    }

    @Test
    void theOverlayIsLegibleOnBlackAndOnWhiteAt320PixelsWide() throws Exception {
        Shaping shaping = new Shaping(0, null, 320, 0, 85, UTC_OVERLAY);
        for (Color background : new Color[] {Color.BLACK, Color.WHITE}) {
            BufferedImage out = decode(shaper(shaping).shape(solid(1280, 720, background), ARRIVED));
            assertEquals(320, out.getWidth(), "stamped after scaling, so the text is sized for 320 px");
            // Text rows: rows of the top-left box holding bright text pixels. At least 9 of them: readable digits.
            int textRows = 0;
            int textRight = 0;
            for (int y = 0; y < 40; y++) {
                boolean bright = false;
                for (int x = 0; x < 320; x++) {
                    int grey = out.getRGB(x, y) & 0xff;
                    boolean boxBelow = (out.getRGB(x, Math.min(y + 1, 179)) & 0xff) < 100 || (out.getRGB(Math.max(0, x - 1), y) & 0xff) < 100;
                    if (grey > 200 && boxBelow) {
                        bright = true;
                        textRight = Math.max(textRight, x);
                    }
                }
                textRows += bright ? 1 : 0;
            }
            assertTrue(textRows >= 9, background + ": " + textRows + " text rows");
            assertTrue(textRight > 100 && textRight < 320, background + ": text ends at " + textRight);
            assertEquals(background == Color.BLACK ? 0 : 255, out.getRGB(300, 170) & 0xff, 8, "the rest of the picture is untouched");
        }
    }

    @Test
    void theOverlayShowsTheArrivalTime() throws Exception {
        // Two arrival times, identical pictures: the stamped frames differ only where the time is.
        Shaping shaping = new Shaping(0, null, 0, 0, 95, UTC_OVERLAY);
        BufferedImage early = decode(shaper(shaping).shape(solid(320, 180, Color.GRAY), ARRIVED));
        BufferedImage later = decode(shaper(shaping).shape(solid(320, 180, Color.GRAY), ARRIVED.plusSeconds(3600 * 5 + 7)));
        assertTrue(differ(early, later, 0, 0, 320, 40), "the time in the corner changed");
        assertFalse(differ(early, later, 0, 60, 320, 180), "nothing else did");
    }

    @Test
    void aPortraitFrameStillFitsItsStamp() throws Exception {
        Shaping shaping = new Shaping(90, null, 0, 0, 85, new Shaping.TimestampOverlay(Shaping.Corner.BOTTOM_RIGHT, true,
                "yyyy-MM-dd HH:mm:ss", ZoneOffset.UTC));
        BufferedImage out = decode(new FrameShaper(shaping, "a-rather-long-camera-name", MAX_PIXELS)
                .shape(solid(640, 120, Color.WHITE), ARRIVED));
        assertEquals(120, out.getWidth());
        assertTrue((out.getRGB(1, 639) & 0xff) < 100, "the box reaches the left edge only when it needs the whole width");
    }

    // ---------------------------------------------------------------- EXIF, failures

    @Test
    void exifOrientationIsIgnoredAndLeftOutOfReEncodedFrames() throws Exception {
        // Orientation 6 asks viewers to turn the picture 90 clockwise; the server turns only by `rotate`.
        byte[] tagged = TestImages.withExifOrientation(TestImages.quadrantsJpeg(320, 240), 6);
        assertTrue(TestImages.hasExif(tagged));
        byte[] scaled = shaper(new Shaping(0, null, 160, 0, 90, null)).shape(tagged, ARRIVED);
        BufferedImage out = decode(scaled);
        assertEquals(160, out.getWidth());
        assertEquals(120, out.getHeight());
        assertEquals(TOP_LEFT, quadrantAt(out, 3, 3), "as stored, not turned by the tag");
        assertFalse(TestImages.hasExif(scaled), "no tag left to turn it again in a browser");

        BufferedImage turned = decode(shaper(new Shaping(90, null, 0, 0, 90, null)).shape(tagged, ARRIVED));
        assertEquals(240, turned.getWidth(), "turned once, by rotate");
        assertEquals(TOP_LEFT, quadrantAt(turned, 236, 3));
    }

    @Test
    void aBodyThatDoesNotDecodeIsAFailedFrame() {
        InvalidImageException e = assertThrows(InvalidImageException.class,
                () -> shaper(new Shaping(90, null, 0, 0, 85, null)).shape(new byte[] {1, 2, 3, 4}, ARRIVED));
        assertTrue(e.getMessage().contains("not an image"), e.getMessage());
        assertThrows(InvalidImageException.class,
                () -> new FrameShaper(new Shaping(90, null, 0, 0, 85, null), "cam", 100).shape(QUADRANTS, ARRIVED),
                "max_image_pixels bounds the decode");
    }

    // ---------------------------------------------------------------- helpers

    private static FrameShaper shaper(Shaping shaping) {
        return new FrameShaper(shaping, "cam", MAX_PIXELS);
    }

    private static Shaping.Crop crop(String x, String y, String width, String height) {
        return new Shaping.Crop(length(x), length(y), length(width), length(height));
    }

    private static Shaping.Length length(String text) {
        boolean percent = text.endsWith("%");
        return new Shaping.Length(Double.parseDouble(percent ? text.substring(0, text.length() - 1) : text), percent);
    }

    private static BufferedImage decode(byte[] jpeg) throws IOException {
        return ImageIO.read(new ByteArrayInputStream(jpeg));
    }

    private static byte[] solid(int width, int height, Color colour) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setColor(colour);
        g.fillRect(0, 0, width, height);
        g.dispose();
        return JpegCodec.encode(image, 0.95f);
    }

    private static byte[] png(BufferedImage image) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, "png", out);
        return out.toByteArray();
    }

    private record Corner(int dark, int bright) {
    }

    /** Dark and bright pixels in a 60x30 corner of a white picture: the overlay's box and text. */
    private static Corner corner(BufferedImage image, int right, int bottom) {
        int dark = 0;
        int bright = 0;
        int x0 = right == 1 ? image.getWidth() - 60 : 0;
        int y0 = bottom == 1 ? image.getHeight() - 30 : 0;
        for (int y = y0; y < y0 + 30; y++) {
            for (int x = x0; x < x0 + 60; x++) {
                int grey = image.getRGB(x, y) & 0xff;
                dark += grey < 90 ? 1 : 0;
                bright += grey > 160 ? 1 : 0;
            }
        }
        return new Corner(dark, bright);
    }

    private static boolean differ(BufferedImage a, BufferedImage b, int x0, int y0, int x1, int y1) {
        for (int y = y0; y < y1; y++) {
            for (int x = x0; x < x1; x++) {
                if (Math.abs((a.getRGB(x, y) & 0xff) - (b.getRGB(x, y) & 0xff)) > 24) {
                    return true;
                }
            }
        }
        return false;
    }
}

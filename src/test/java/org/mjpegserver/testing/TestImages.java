package org.mjpegserver.testing;

import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.awt.image.DataBuffer;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.zip.CRC32;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;

/** Real encoded images for tests, made with javax.imageio so decoders see genuine files. */
public final class TestImages {

    private static final int SOF0 = 0xC0;
    private static final int SOS = 0xDA;
    private static final int EOI = 0xD9;
    private static final int COM = 0xFE;

    private TestImages() {
    }

    public static byte[] jpeg(int width, int height, String label) {
        return encode(render(width, height, label), "jpeg");
    }

    public static byte[] png(int width, int height, String label) {
        return encode(render(width, height, label), "png");
    }

    public static byte[] gif(int width, int height, String label) {
        return encode(render(width, height, label), "gif");
    }

    public static byte[] bmp(int width, int height, String label) {
        return encode(render(width, height, label), "bmp");
    }

    /**
     * A 4-channel CMYK JPEG marked with an Adobe APP14 segment, as some cameras and
     * print workflows produce; decoders must notice the fourth channel and convert CMYK to RGB.
     */
    public static byte[] cmykJpeg(int width, int height) {
        WritableRaster raster = Raster.createInterleavedRaster(
                DataBuffer.TYPE_BYTE, width, height, 4, null);
        int[] pixel = new int[4];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                // Left half cyan, right half magenta; stored inverted, as Adobe writes CMYK.
                pixel[0] = 255 - (x < width / 2 ? 255 : 0);
                pixel[1] = 255 - (x < width / 2 ? 0 : 255);
                pixel[2] = 255;
                pixel[3] = 255;
                raster.setPixel(x, y, pixel);
            }
        }
        ImageWriter writer = jdkJpegWriter();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ImageOutputStream ios = ImageIO.createImageOutputStream(out)) {
            writer.setOutput(ios);
            // Writing a bare Raster skips colour conversion and writes no JFIF/Adobe marker.
            writer.write(null, new IIOImage(raster, null, null), writer.getDefaultWriteParam());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            writer.dispose();
        }
        return insertAfterSoi(out.toByteArray(), adobeApp14());
    }

    /**
     * A small JPEG whose SOF0 header claims the given size, for "reject before decoding"
     * checks. JPEG stores dimensions in 16 bits, so 65535 is the most it can declare.
     */
    public static byte[] jpegDeclaring(int width, int height) {
        if (width < 1 || height < 1 || width > 0xFFFF || height > 0xFFFF) {
            throw new IllegalArgumentException("JPEG dimensions are 1..65535, got " + width + "x" + height);
        }
        byte[] jpeg = jpeg(16, 16, "big");
        int sof = findSegment(jpeg, SOF0);
        if (sof < 0) {
            throw new IllegalStateException("encoder wrote no baseline SOF0 segment");
        }
        // SOF0: FF C0, length(2), precision(1), height(2), width(2)
        ByteBuffer.wrap(jpeg).putShort(sof + 5, (short) height).putShort(sof + 7, (short) width);
        return jpeg;
    }

    /** A small PNG whose IHDR claims the given size, with a recomputed CRC so it still parses. */
    public static byte[] pngDeclaring(int width, int height) {
        byte[] png = png(16, 16, "big");
        // Signature(8), then IHDR: length(4) "IHDR"(4) width(4) height(4) ... 13 data bytes, CRC(4)
        ByteBuffer buf = ByteBuffer.wrap(png);
        buf.putInt(16, width).putInt(20, height);
        CRC32 crc = new CRC32();
        crc.update(png, 12, 4 + 13);
        buf.putInt(12 + 4 + 13, (int) crc.getValue());
        return png;
    }

    /** Colours of {@link #quadrants}' quarters: top-left, top-right, bottom-left, bottom-right. */
    public static final Color[] QUADRANT_COLOURS = {new Color(220, 30, 30), new Color(30, 200, 30), new Color(30, 30, 220), new Color(240, 240, 240)};

    /** A picture in four solid quarters ({@link #QUADRANT_COLOURS}), so any crop or turn shows in a few pixels. */
    public static BufferedImage quadrants(int width, int height) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        for (int quarter = 0; quarter < 4; quarter++) {
            g.setColor(QUADRANT_COLOURS[quarter]);
            g.fillRect(quarter % 2 == 0 ? 0 : width / 2, quarter < 2 ? 0 : height / 2, width - width / 2, height - height / 2);
        }
        g.dispose();
        return image;
    }

    public static byte[] quadrantsJpeg(int width, int height) {
        return encode(quadrants(width, height), "jpeg");
    }

    /** Which of {@link #QUADRANT_COLOURS} the pixel is nearest to: 0 top-left red ... 3 bottom-right white. */
    public static int quadrantAt(BufferedImage image, int x, int y) {
        Color pixel = new Color(image.getRGB(x, y));
        int best = 0;
        int bestDistance = Integer.MAX_VALUE;
        for (int quarter = 0; quarter < 4; quarter++) {
            Color c = QUADRANT_COLOURS[quarter];
            int distance = Math.abs(c.getRed() - pixel.getRed()) + Math.abs(c.getGreen() - pixel.getGreen())
                    + Math.abs(c.getBlue() - pixel.getBlue());
            if (distance < bestDistance) {
                best = quarter;
                bestDistance = distance;
            }
        }
        return best;
    }

    /**
     * Inserts an EXIF APP1 segment holding only an Orientation tag (1 upright, 3 upside down, 6 and 8 turned),
     * as phones and some cameras write it.
     */
    public static byte[] withExifOrientation(byte[] jpeg, int orientation) {
        // "Exif\0\0", then a little-endian TIFF header and one IFD with one SHORT entry: tag 0x0112.
        ByteBuffer tiff = ByteBuffer.allocate(8 + 2 + 12 + 4).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        tiff.put((byte) 'I').put((byte) 'I').putShort((short) 42).putInt(8);
        tiff.putShort((short) 1).putShort((short) 0x0112).putShort((short) 3).putInt(1).putShort((short) orientation).putShort((short) 0);
        tiff.putInt(0);
        byte[] exif = "Exif\0\0".getBytes(StandardCharsets.US_ASCII);
        int length = 2 + exif.length + tiff.capacity();
        byte[] segment = ByteBuffer.allocate(2 + length).put((byte) 0xFF).put((byte) 0xE1).putShort((short) length)
                .put(exif).put(tiff.array()).array();
        return insertAfterSoi(jpeg, segment);
    }

    /** Whether the JPEG has an EXIF APP1 segment before its image data. */
    public static boolean hasExif(byte[] jpeg) {
        int app1 = findSegment(jpeg, 0xE1);
        return app1 >= 0 && new String(jpeg, app1 + 4, 4, StandardCharsets.US_ASCII).equals("Exif");
    }

    /** Inserts a COM segment right after SOI. */
    public static byte[] withComment(byte[] jpeg, String comment) {
        byte[] text = comment.getBytes(StandardCharsets.UTF_8);
        if (text.length > 0xFFFF - 2) {
            throw new IllegalArgumentException("comment too long for one COM segment");
        }
        byte[] segment = ByteBuffer.allocate(4 + text.length)
                .put((byte) 0xFF).put((byte) COM).putShort((short) (text.length + 2)).put(text).array();
        return insertAfterSoi(jpeg, segment);
    }

    /** The text of the first COM segment before the image data, or null if there is none. */
    public static String comment(byte[] jpeg) {
        int com = findSegment(jpeg, COM);
        if (com < 0) {
            return null;
        }
        int length = ((jpeg[com + 2] & 0xFF) << 8) | (jpeg[com + 3] & 0xFF);
        return new String(jpeg, com + 4, length - 2, StandardCharsets.UTF_8);
    }

    /** Offset of the first segment with this marker, scanning headers only (stops at SOS). */
    private static int findSegment(byte[] jpeg, int marker) {
        requireSoi(jpeg);
        int i = 2;
        while (i + 4 <= jpeg.length && (jpeg[i] & 0xFF) == 0xFF) {
            int m = jpeg[i + 1] & 0xFF;
            if (m == marker) {
                return i;
            }
            if (m == SOS || m == EOI) {
                return -1;
            }
            i += 2 + (((jpeg[i + 2] & 0xFF) << 8) | (jpeg[i + 3] & 0xFF));
        }
        return -1;
    }

    private static byte[] insertAfterSoi(byte[] jpeg, byte[] segment) {
        requireSoi(jpeg);
        byte[] out = new byte[jpeg.length + segment.length];
        System.arraycopy(jpeg, 0, out, 0, 2);
        System.arraycopy(segment, 0, out, 2, segment.length);
        System.arraycopy(jpeg, 2, out, 2 + segment.length, jpeg.length - 2);
        return out;
    }

    private static void requireSoi(byte[] jpeg) {
        if (jpeg.length < 4 || (jpeg[0] & 0xFF) != 0xFF || (jpeg[1] & 0xFF) != 0xD8) {
            throw new IllegalArgumentException("not a JPEG (no SOI)");
        }
    }

    /** APP14 "Adobe", version 100, no flags, transform 0: the channels are CMYK as stored. */
    private static byte[] adobeApp14() {
        return ByteBuffer.allocate(16)
                .put((byte) 0xFF).put((byte) 0xEE).putShort((short) 14)
                .put("Adobe".getBytes(StandardCharsets.US_ASCII))
                .putShort((short) 100).putShort((short) 0).putShort((short) 0).put((byte) 0)
                .array();
    }

    /** TwelveMonkeys registers its own JPEG writer too; the bare-Raster trick needs the JDK's. */
    public static ImageWriter jdkJpegWriter() {
        Iterator<ImageWriter> writers = ImageIO.getImageWritersByFormatName("jpeg");
        while (writers.hasNext()) {
            ImageWriter writer = writers.next();
            if (writer.getClass().getName().startsWith("com.sun.imageio.")) {
                return writer;
            }
        }
        throw new IllegalStateException("JDK JPEG writer not found");
    }

    private static BufferedImage render(int width, int height, String label) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            // The hue follows the label, so two labels differ in colour as well as in text.
            g.setColor(Color.getHSBColor((label.hashCode() & 0xFF) / 255f, 0.7f, 0.9f));
            g.fillRect(0, 0, width, height);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.BLACK);
            // Half the height, shrunk for long labels so the text stays inside the frame.
            int size = Math.max(8, Math.min(height / 2, width * 3 / (2 * Math.max(1, label.length()))));
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, size));
            FontMetrics fm = g.getFontMetrics();
            g.drawString(label, (width - fm.stringWidth(label)) / 2, (height - fm.getHeight()) / 2 + fm.getAscent());
        } finally {
            g.dispose();
        }
        return image;
    }

    private static byte[] encode(BufferedImage image, String format) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            if (!ImageIO.write(image, format, out)) {
                throw new IllegalStateException("no ImageIO writer for " + format);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}

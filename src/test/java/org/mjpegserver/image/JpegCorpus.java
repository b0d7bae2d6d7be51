package org.mjpegserver.image;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.GradientPaint;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import org.mjpegserver.testing.TestImages;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.metadata.IIOMetadataNode;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import org.w3c.dom.Node;

/**
 * JPEGs of the kinds cameras send, written by the JDK's encoder with the options cameras use (chroma subsampling,
 * restart intervals, optimised tables, progressive), and the ways they get damaged on the way.
 */
final class JpegCorpus {

    static final int SOF0 = 0xC0;
    static final int DHT = 0xC4;
    static final int SOS = 0xDA;
    static final int DQT = 0xDB;
    static final int EOI = 0xD9;
    private static final String FORMAT = "javax_imageio_jpeg_image_1.0";

    private JpegCorpus() {
    }

    /** How to encode: luma sampling over chroma (1x1 = 4:4:4, 2x1 = 4:2:2, 2x2 = 4:2:0), restart interval in MCUs. */
    record Options(boolean grey, int lumaH, int lumaV, int restartInterval, boolean optimized, boolean progressive) {
        static Options colour(int lumaH, int lumaV) {
            return new Options(false, lumaH, lumaV, 0, false, false);
        }

        Options restarts(int interval) {
            return new Options(grey, lumaH, lumaV, interval, optimized, progressive);
        }

        Options optimizedTables() {
            return new Options(grey, lumaH, lumaV, restartInterval, true, progressive);
        }

        static Options greyscale() {
            return new Options(true, 1, 1, 0, false, false);
        }

        static Options progressiveColour() {
            return new Options(false, 2, 2, 0, false, true);
        }
    }

    /** A scene with edges, gradients and noise, so the entropy-coded data uses many codes. */
    static BufferedImage scene(int width, int height, long seed, boolean grey) {
        BufferedImage image = new BufferedImage(width, height, grey ? BufferedImage.TYPE_BYTE_GRAY : BufferedImage.TYPE_INT_RGB);
        Random random = new Random(seed);
        Graphics2D g = image.createGraphics();
        g.setPaint(new GradientPaint(0, 0, Color.getHSBColor(random.nextFloat(), 0.6f, 0.9f), width, height,
                Color.getHSBColor(random.nextFloat(), 0.7f, 0.3f)));
        g.fillRect(0, 0, width, height);
        for (int i = 0; i < 12; i++) {
            g.setColor(Color.getHSBColor(random.nextFloat(), 0.8f, random.nextFloat()));
            g.setStroke(new BasicStroke(1 + random.nextInt(4)));
            g.drawLine(random.nextInt(width), random.nextInt(height), random.nextInt(width), random.nextInt(height));
            g.fillOval(random.nextInt(width), random.nextInt(height), 1 + random.nextInt(width / 3 + 1), 1 + random.nextInt(height / 3 + 1));
        }
        g.dispose();
        for (int y = 0; y < height; y += 1 + random.nextInt(3)) {
            for (int x = 0; x < width; x += 1 + random.nextInt(5)) {
                image.setRGB(x, y, image.getRGB(x, y) ^ random.nextInt(0x1f1f1f));
            }
        }
        return image;
    }

    static byte[] encode(int width, int height, long seed, Options options) {
        BufferedImage image = scene(width, height, seed, options.grey());
        ImageWriter writer = TestImages.jdkJpegWriter();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (MemoryCacheImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
            writer.setOutput(out);
            ImageWriteParam param = writer.getDefaultWriteParam();
            param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            param.setCompressionQuality(0.8f);
            if (options.optimized()) {
                ((javax.imageio.plugins.jpeg.JPEGImageWriteParam) param).setOptimizeHuffmanTables(true);
            }
            if (options.progressive()) {
                param.setProgressiveMode(ImageWriteParam.MODE_DEFAULT);
            }
            IIOMetadata metadata = writer.getDefaultImageMetadata(ImageTypeSpecifier.createFromRenderedImage(image), param);
            IIOMetadataNode root = (IIOMetadataNode) metadata.getAsTree(FORMAT);
            IIOMetadataNode markers = (IIOMetadataNode) root.getElementsByTagName("markerSequence").item(0);
            if (!options.grey()) {
                Node luma = ((IIOMetadataNode) markers.getElementsByTagName("sof").item(0)).getElementsByTagName("componentSpec").item(0);
                ((IIOMetadataNode) luma).setAttribute("HsamplingFactor", Integer.toString(options.lumaH()));
                ((IIOMetadataNode) luma).setAttribute("VsamplingFactor", Integer.toString(options.lumaV()));
            }
            if (options.restartInterval() > 0) {
                IIOMetadataNode dri = new IIOMetadataNode("dri");
                dri.setAttribute("interval", Integer.toString(options.restartInterval()));
                markers.insertBefore(dri, markers.getFirstChild());
            }
            metadata.setFromTree(FORMAT, root);
            writer.write(null, new IIOImage(image, null, metadata), param);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            writer.dispose();
        }
        return bytes.toByteArray();
    }

    /** An APP1 Exif segment (big-endian TIFF, one IFD: orientation 1), as cameras put after JFIF or instead of it. */
    static byte[] exifSegment() {
        ByteBuffer tiff = ByteBuffer.allocate(6 + 8 + 2 + 12 + 4);
        tiff.put("Exif\0\0".getBytes(StandardCharsets.US_ASCII));
        tiff.put("MM".getBytes(StandardCharsets.US_ASCII)).putShort((short) 42).putInt(8);
        tiff.putShort((short) 1).putShort((short) 0x0112).putShort((short) 3).putInt(1).putShort((short) 1).putShort((short) 0);
        tiff.putInt(0);
        return segment(0xE1, tiff.array());
    }

    static byte[] segment(int marker, byte[] payload) {
        return ByteBuffer.allocate(4 + payload.length).put((byte) 0xFF).put((byte) marker)
                .putShort((short) (payload.length + 2)).put(payload).array();
    }

    /** {@code segment} inserted before the segment or marker at {@code at}. */
    static byte[] insert(byte[] jpeg, int at, byte[] bytes) {
        byte[] out = new byte[jpeg.length + bytes.length];
        System.arraycopy(jpeg, 0, out, 0, at);
        System.arraycopy(bytes, 0, out, at, bytes.length);
        System.arraycopy(jpeg, at, out, at + bytes.length, jpeg.length - at);
        return out;
    }

    static byte[] remove(byte[] jpeg, int at, int count) {
        byte[] out = new byte[jpeg.length - count];
        System.arraycopy(jpeg, 0, out, 0, at);
        System.arraycopy(jpeg, at + count, out, at, jpeg.length - at - count);
        return out;
    }

    static byte[] withEoi(byte[] prefix) {
        return insert(prefix, prefix.length, new byte[] {(byte) 0xFF, (byte) EOI});
    }

    /** Offsets of every marker before the scan, in order (the scan's SOS included). */
    static List<Integer> segments(byte[] jpeg) {
        List<Integer> offsets = new ArrayList<>();
        int i = 2;
        while (i + 4 <= jpeg.length && (jpeg[i] & 0xFF) == 0xFF) {
            offsets.add(i);
            if ((jpeg[i + 1] & 0xFF) == SOS) {
                break;
            }
            i += 2 + (((jpeg[i + 2] & 0xFF) << 8) | (jpeg[i + 3] & 0xFF));
        }
        return offsets;
    }

    static int firstSegment(byte[] jpeg, int marker) {
        for (int at : segments(jpeg)) {
            if ((jpeg[at + 1] & 0xFF) == marker) {
                return at;
            }
        }
        throw new IllegalArgumentException("no marker " + Integer.toHexString(marker));
    }

    /** Where the entropy-coded data of the first scan starts. */
    static int scanData(byte[] jpeg) {
        int sos = firstSegment(jpeg, SOS);
        return sos + 2 + (((jpeg[sos + 2] & 0xFF) << 8) | (jpeg[sos + 3] & 0xFF));
    }

    /** Offsets of the RSTn markers in the scan data. */
    static List<Integer> restartMarkers(byte[] jpeg) {
        List<Integer> offsets = new ArrayList<>();
        for (int i = scanData(jpeg); i + 1 < jpeg.length; i++) {
            int next = jpeg[i + 1] & 0xFF;
            if ((jpeg[i] & 0xFF) == 0xFF && next >= 0xD0 && next <= 0xD7) {
                offsets.add(i);
            }
        }
        return offsets;
    }
}

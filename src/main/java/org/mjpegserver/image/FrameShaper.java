package org.mjpegserver.image;

import com.twelvemonkeys.image.ResampleOp;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;
import java.time.Instant;
import org.mjpegserver.config.Shaping;

/**
 * Shapes one image's frames as its config asks: decode, crop, rotate, scale down to fit, stamp the arrival time,
 * encode. It runs once per accepted frame, before any viewer sees it. A frame that needs none of it passes
 * through as the very same bytes, never re-encoded.
 *
 * <p>Rules: the crop is taken from the source picture as it arrived, before rotating; a crop reaching past the
 * right or bottom edge is cut at the edge, one that starts outside the picture fails the frame. EXIF orientation
 * is ignored: ImageIO decodes the pixels as stored and cameras are turned with {@code rotate}; a re-encoded frame
 * carries no EXIF, so every client shows what the server made.
 */
public final class FrameShaper {

    private final Shaping shaping;
    private final long maxPixels;
    private final TimestampPainter painter;

    /** {@code imageId} is shown by an overlay with {@code show_id}; {@code maxPixels} bounds every decode. */
    public FrameShaper(Shaping shaping, String imageId, long maxPixels) {
        this.shaping = shaping;
        this.maxPixels = maxPixels;
        this.painter = shaping.timestampOverlay() == null ? null : new TimestampPainter(shaping.timestampOverlay(), imageId);
    }

    /**
     * The stale image as an image with this shaping shows it: shaped like its frames but without a time, which it
     * does not have; the built-in placeholder is only scaled, since a crop or turn would garble its text.
     */
    public static byte[] staleImage(byte[] jpeg, boolean builtIn, Shaping shaping, String imageId, long maxPixels)
            throws InvalidImageException {
        Shaping stale = builtIn ? shaping.scalingOnly() : shaping.withoutOverlay();
        return new FrameShaper(stale, imageId, maxPixels).shape(jpeg, null);
    }

    /** Whether frames come out as they went in: then {@link #shape} returns its argument. */
    public boolean passesThrough() {
        return !shaping.changesPixels();
    }

    /** The frame that arrived at {@code arrived}, shaped; throws with a short reason when it cannot be. */
    public byte[] shape(byte[] jpeg, Instant arrived) throws InvalidImageException {
        if (passesThrough()) {
            return jpeg;
        }
        BufferedImage image = JpegCodec.decode(jpeg, false, maxPixels);
        if (onlyLimits() && fitted(image.getWidth(), image.getHeight()) == null) {
            // Within max_width and max_height already, and nothing else to do: keep the camera's bytes.
            return jpeg;
        }
        try {
            image = scale(turn(crop(image)));
            if (painter != null) {
                painter.paint(image, arrived);
            }
            return JpegCodec.encode(image, shaping.jpegQuality() / 100f);
        } catch (RuntimeException e) {
            // Java2D can fail on odd pictures; a frame it cannot shape is a failed frame, never a dead poller.
            throw new InvalidImageException("shaping failed: " + e);
        }
    }

    /**
     * Turns by {@code rotate} clockwise, moving whole pixels of an RGB copy: a quadrant turn maps pixel to pixel
     * exactly, and index arithmetic on the arrays does it several times faster than a transformed Java2D draw.
     */
    private BufferedImage turn(BufferedImage image) {
        if (shaping.rotate() == 0) {
            return image;
        }
        int width = image.getWidth();
        int height = image.getHeight();
        int[] from = pixels(rgb(image));
        boolean sideways = shaping.rotate() != 180;
        BufferedImage out = new BufferedImage(sideways ? height : width, sideways ? width : height, BufferedImage.TYPE_INT_RGB);
        int[] to = pixels(out);
        for (int y = 0, i = 0; y < height; y++) {
            for (int x = 0; x < width; x++, i++) {
                switch (shaping.rotate()) {
                    case 90 -> to[x * height + height - 1 - y] = from[i];
                    case 180 -> to[from.length - 1 - i] = from[i];
                    default -> to[(width - 1 - x) * height + y] = from[i];
                }
            }
        }
        return out;
    }

    /** The picture as packed RGB ints, copied by one blit from whatever the decoder gave (grey, BGR, a crop of one). */
    private static BufferedImage rgb(BufferedImage image) {
        BufferedImage out = new BufferedImage(image.getWidth(), image.getHeight(), BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        try {
            g.drawImage(image, 0, 0, null);
        } finally {
            g.dispose();
        }
        return out;
    }

    private static int[] pixels(BufferedImage rgb) {
        return ((DataBufferInt) rgb.getRaster().getDataBuffer()).getData();
    }

    private BufferedImage crop(BufferedImage source) throws InvalidImageException {
        Shaping.Crop crop = shaping.crop();
        if (crop == null) {
            return source;
        }
        int width = source.getWidth();
        int height = source.getHeight();
        int x = crop.x().pixels(width);
        int y = crop.y().pixels(height);
        if (x >= width || y >= height) {
            throw new InvalidImageException("crop at x " + crop.x() + ", y " + crop.y() + " starts outside the "
                    + width + "x" + height + " picture");
        }
        int w = Math.max(1, Math.min(crop.width().pixels(width), width - x));
        int h = Math.max(1, Math.min(crop.height().pixels(height), height - y));
        return source.getSubimage(x, y, w, h);
    }

    private boolean onlyLimits() {
        return shaping.rotate() == 0 && shaping.crop() == null && painter == null;
    }

    /** Down to fit max_width x max_height, aspect kept, never up; a triangle filter over the whole footprint. */
    private BufferedImage scale(BufferedImage image) {
        int[] size = fitted(image.getWidth(), image.getHeight());
        if (size == null) {
            return image;
        }
        // The triangle filter widens with the reduction, so a quarter-size picture averages every pixel it covers.
        // It reads packed RGB several times faster than the decoder's BGR bytes, so those are copied first.
        BufferedImage source = image.getType() == BufferedImage.TYPE_INT_RGB ? image : rgb(image);
        return new ResampleOp(size[0], size[1], ResampleOp.FILTER_TRIANGLE)
                .filter(source, new BufferedImage(size[0], size[1], BufferedImage.TYPE_INT_RGB));
    }

    /** The width and height that fit within the limits, or null when the picture fits as it is. */
    private int[] fitted(int width, int height) {
        double factor = 1;
        if (shaping.maxWidth() > 0) {
            factor = Math.min(factor, (double) shaping.maxWidth() / width);
        }
        if (shaping.maxHeight() > 0) {
            factor = Math.min(factor, (double) shaping.maxHeight() / height);
        }
        int w = Math.max(1, (int) Math.round(width * factor));
        int h = Math.max(1, (int) Math.round(height * factor));
        return w == width && h == height ? null : new int[] {w, h};
    }
}

package org.mjpegserver.image;

import com.twelvemonkeys.image.ResampleOp;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;

/**
 * Scales one JPEG down to smaller widths, keeping its aspect ratio: decoded once, however many widths are asked
 * for, then resampled and encoded at the image's {@code jpeg_quality}.
 *
 * <p>The filter is {@link ResampleOp#FILTER_TRIANGLE}, which on an RGB image halves the picture step by step
 * with bilinear interpolation, each halving averaging 2x2 pixels, then takes the last step bilinearly: every
 * source pixel counts, so a quarter-size picture has none of the jaggies and shimmer of nearest-neighbour
 * sampling. Its general filters (Lanczos, Mitchell) look a little sharper but cost about 25 times as much per
 * 1280x720 frame, which every new frame of a watched size pays.
 */
public final class JpegResize {

    private final byte[] jpeg;
    private final long maxPixels;
    private final float quality;
    private BufferedImage decoded;

    /** {@code maxPixels} bounds the decode; {@code quality} (0 to 1) is the encoder's. */
    public JpegResize(byte[] jpeg, long maxPixels, float quality) {
        this.jpeg = jpeg;
        this.maxPixels = maxPixels;
        this.quality = quality;
    }

    /** The picture at {@code width} pixels wide, or the source bytes themselves when it is not wider than that. */
    public byte[] toWidth(int width) throws InvalidImageException {
        if (decoded == null) {
            decoded = rgb(JpegCodec.decode(jpeg, false, maxPixels));
        }
        if (decoded.getWidth() <= width) {
            return jpeg;
        }
        int height = Math.max(1, (int) Math.round((double) width * decoded.getHeight() / decoded.getWidth()));
        try {
            return JpegCodec.encode(new ResampleOp(width, height, ResampleOp.FILTER_TRIANGLE).filter(decoded, null), quality);
        } catch (RuntimeException e) {
            // Java2D can fail on odd pictures: a frame that cannot be scaled is shown as it is, never a dead poller.
            throw new InvalidImageException("scaling failed: " + e);
        }
    }

    /** The decoder's picture as packed RGB, which Java2D's scaling loops take three times as fast as 3-byte BGR. */
    private static BufferedImage rgb(BufferedImage image) {
        if (image.getType() == BufferedImage.TYPE_INT_RGB) {
            return image;
        }
        BufferedImage rgb = new BufferedImage(image.getWidth(), image.getHeight(), BufferedImage.TYPE_INT_RGB);
        Graphics2D g = rgb.createGraphics();
        g.drawImage(image, 0, 0, null);
        g.dispose();
        return rgb;
    }
}

package org.mjpegserver.image;

import com.twelvemonkeys.image.ResampleOp;
import java.awt.image.BufferedImage;

/**
 * Scales one JPEG down to smaller widths, keeping its aspect ratio: decoded once, however many widths are asked
 * for, then resampled with a Lanczos filter (a quarter-size picture from nearest-neighbour sampling shows jaggies
 * on every edge and flickers on fine detail) and encoded as {@link JpegCodec#encode} does.
 */
public final class JpegResize {

    private final byte[] jpeg;
    private final long maxPixels;
    private BufferedImage decoded;

    public JpegResize(byte[] jpeg, long maxPixels) {
        this.jpeg = jpeg;
        this.maxPixels = maxPixels;
    }

    /** The picture at {@code width} pixels wide, or the source bytes themselves when it is not wider than that. */
    public byte[] toWidth(int width) throws InvalidImageException {
        if (decoded == null) {
            decoded = JpegCodec.decode(jpeg, false, maxPixels);
        }
        if (decoded.getWidth() <= width) {
            return jpeg;
        }
        int height = Math.max(1, (int) Math.round((double) width * decoded.getHeight() / decoded.getWidth()));
        return JpegCodec.encode(new ResampleOp(width, height, ResampleOp.FILTER_LANCZOS).filter(decoded, null));
    }
}

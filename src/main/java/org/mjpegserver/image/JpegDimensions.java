package org.mjpegserver.image;

/**
 * A JPEG's width and height from its frame header, read without decoding: what a size request is resolved
 * against, cheaply enough to do for every request.
 */
public record JpegDimensions(int width, int height) {

    /** The dimensions in {@code jpeg}'s SOF segment, or null when the bytes are not a JPEG with one. */
    public static JpegDimensions of(byte[] jpeg) {
        if (jpeg.length < 4 || (jpeg[0] & 0xff) != 0xff || (jpeg[1] & 0xff) != 0xd8) {
            return null;
        }
        int i = 2;
        while (i + 3 < jpeg.length) {
            if ((jpeg[i] & 0xff) != 0xff) {
                return null;
            }
            int marker = jpeg[i + 1] & 0xff;
            if (marker == 0xff) {
                i++;
                continue;
            }
            int length = (jpeg[i + 2] & 0xff) << 8 | (jpeg[i + 3] & 0xff);
            // SOF0..SOF15 carry the size; C4 (DHT), C8 (JPG) and CC (DAC) share the range but are not frames.
            if (marker >= 0xc0 && marker <= 0xcf && marker != 0xc4 && marker != 0xc8 && marker != 0xcc) {
                if (i + 8 >= jpeg.length) {
                    return null;
                }
                int height = (jpeg[i + 5] & 0xff) << 8 | (jpeg[i + 6] & 0xff);
                int width = (jpeg[i + 7] & 0xff) << 8 | (jpeg[i + 8] & 0xff);
                return width > 0 && height > 0 ? new JpegDimensions(width, height) : null;
            }
            if (marker == 0xda || marker == 0xd9 || length < 2) {
                return null;
            }
            i += 2 + length;
        }
        return null;
    }
}

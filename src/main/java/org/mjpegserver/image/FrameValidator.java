package org.mjpegserver.image;

import java.util.Arrays;
import org.mjpegserver.config.ImageSettings;

/**
 * Turns a fetched body into the JPEG bytes of a frame, as the image's {@code image_validation} asks. One per image:
 * it remembers the last frame {@code valid_jpeg} accepted, because a camera whose picture has not changed sends the
 * same bytes again, and the same bytes get the same verdict.
 */
public final class FrameValidator {

    private final ImageSettings settings;
    /** Written by whichever thread fetched last; a stale view only costs a check that was not needed. */
    private volatile byte[] lastAccepted;

    public FrameValidator(ImageSettings settings) {
        this.settings = settings;
    }

    /** The JPEG to publish; throws with a short reason when the body must not become a frame. */
    public byte[] validate(byte[] body) throws InvalidImageException {
        switch (settings.imageValidation()) {
            case NONE:
                return body;
            case ZERO_BYTES:
                if (body.length == 0) {
                    throw new InvalidImageException("empty body");
                }
                return body;
            case VALID_JPEG:
                byte[] last = lastAccepted;
                if (last != null && last.length == body.length && Arrays.equals(last, body)) {
                    return body;
                }
                verifyJpeg(body, settings.maxImagePixels());
                lastAccepted = body;
                return body;
            case CONVERSION:
                if (body.length == 0) {
                    throw new InvalidImageException("empty body");
                }
                return JpegCodec.encode(JpegCodec.decode(body, false, settings.maxImagePixels()), settings.shaping().jpegQuality() / 100f);
            default:
                throw new IllegalStateException("unhandled validation " + settings.imageValidation());
        }
    }

    /**
     * What {@code valid_jpeg} accepts: a baseline JPEG is judged by {@link JpegScan} without decoding its pixels, and
     * whatever that cannot decide (progressive, colour profiles, damage libjpeg might tolerate) by the full decoder.
     */
    static void verifyJpeg(byte[] body, long maxPixels) throws InvalidImageException {
        int end = checkJpegFraming(body);
        JpegScan.Verdict verdict = JpegScan.check(body, end, maxPixels);
        if (verdict == JpegScan.Verdict.UNDECIDED) {
            JpegCodec.verifyJpeg(body, maxPixels);
        } else if (verdict.damage != null) {
            throw new InvalidImageException(verdict.damage);
        }
    }

    /**
     * A JPEG cut short still decodes (the decoder pads it with grey and only warns), so the end marker is
     * checked too: cameras send truncated bodies when they time out mid-frame. Returns the index just past EOI.
     */
    static int checkJpegFraming(byte[] body) throws InvalidImageException {
        if (body.length < 4 || (body[0] & 0xff) != 0xff || (body[1] & 0xff) != 0xd8) {
            throw new InvalidImageException(body.length == 0 ? "empty body" : "not a JPEG (no SOI marker)");
        }
        int end = body.length;
        while (end > 2 && (body[end - 1] == 0 || body[end - 1] == '\r' || body[end - 1] == '\n')) {
            end--;
        }
        if ((body[end - 2] & 0xff) != 0xff || (body[end - 1] & 0xff) != 0xd9) {
            throw new InvalidImageException("truncated JPEG (no EOI marker)");
        }
        return end;
    }
}

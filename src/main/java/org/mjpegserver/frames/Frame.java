package org.mjpegserver.frames;

import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * One published image, immutable. {@code capturedAt} is when its bytes arrived from the source. {@code part} is
 * the frame as it goes on the wire of every MJPEG stream, encoded once here rather than once per viewer: part
 * headers, the JPEG, then the boundary of the next part, so that a browser draws the frame without waiting for
 * the next one. {@code X-Timestamp} (seconds since the epoch) lets a client tell a repeat from a new frame and
 * measure how fresh it is.
 */
public record Frame(byte[] jpeg, Instant capturedAt, long sequence, byte[] part) {

    /** Multipart boundary of every stream. */
    public static final String BOUNDARY = "frame";
    public static final String CONTENT_TYPE = "multipart/x-mixed-replace; boundary=" + BOUNDARY;
    /** What a stream body starts with, before its first part. */
    public static final byte[] PREAMBLE = ("--" + BOUNDARY + "\r\n").getBytes(StandardCharsets.US_ASCII);
    /** What follows every JPEG: the boundary of the next part. */
    private static final byte[] TRAILER = ("\r\n--" + BOUNDARY + "\r\n").getBytes(StandardCharsets.US_ASCII);

    public static Frame of(byte[] jpeg, Instant capturedAt, long sequence) {
        // Microseconds as six digits, without String.format's parsing of its pattern for every frame.
        String micros = Integer.toString(1_000_000 + capturedAt.getNano() / 1000).substring(1);
        byte[] headers = ("Content-Type: image/jpeg\r\nContent-Length: " + jpeg.length + "\r\nX-Timestamp: "
                + capturedAt.getEpochSecond() + "." + micros + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        byte[] part = new byte[headers.length + jpeg.length + TRAILER.length];
        System.arraycopy(headers, 0, part, 0, headers.length);
        System.arraycopy(jpeg, 0, part, headers.length, jpeg.length);
        System.arraycopy(TRAILER, 0, part, headers.length + jpeg.length, TRAILER.length);
        return new Frame(jpeg, capturedAt, sequence, part);
    }

    @Override
    public String toString() {
        return "Frame[#" + sequence + ", " + jpeg.length + " bytes, " + capturedAt + "]";
    }
}

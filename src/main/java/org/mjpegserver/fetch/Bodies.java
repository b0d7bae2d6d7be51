package org.mjpegserver.fetch;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/** Reads a body with a size limit and a deadline, so that neither a huge nor a trickling upstream holds a poller. */
final class Bodies {

    /** Where a body of unknown length starts; it doubles as it fills. */
    static final int UNKNOWN_LENGTH_START = 16 * 1024;
    /** The most a declared length reserves up front: a body that claims more must send it to get more room. */
    static final int DECLARED_LENGTH_START_LIMIT = 8 * 1024 * 1024;
    private static final int LARGEST_ARRAY = Integer.MAX_VALUE - 8;

    private Bodies() {
    }

    /**
     * Reads all of {@code in}, failing as soon as it passes {@code maxBytes} or {@code deadlineNanos}
     * (a {@link System#nanoTime()} value) without reading the rest. A body of the length it declared is read
     * straight into an array of that size, which becomes the frame: no buffer between, no copy at the end.
     */
    static byte[] read(InputStream in, long maxBytes, long expectedLength, long deadlineNanos) throws IOException, FetchException {
        long limit = Math.min(maxBytes + 1, LARGEST_ARRAY);
        long start = expectedLength >= 0 ? Math.min(expectedLength, DECLARED_LENGTH_START_LIMIT) : UNKNOWN_LENGTH_START;
        byte[] body = new byte[(int) Math.min(start, limit)];
        int count = 0;
        while (true) {
            if (count == body.length) {
                // Full: done if nothing follows (the usual end of a body of its declared length), else make room.
                int next = in.read();
                if (next < 0) {
                    return body;
                }
                if (body.length >= limit) {
                    throw tooLarge(maxBytes);
                }
                body = Arrays.copyOf(body, (int) Math.min(Math.max(2L * body.length, UNKNOWN_LENGTH_START), limit));
                body[count++] = (byte) next;
            } else {
                int n = in.read(body, count, body.length - count);
                if (n < 0) {
                    return count == body.length ? body : Arrays.copyOf(body, count);
                }
                count += n;
            }
            if (count > maxBytes) {
                throw tooLarge(maxBytes);
            }
            if (System.nanoTime() - deadlineNanos > 0) {
                throw new FetchException("body not complete within the read timeout");
            }
        }
    }

    private static FetchException tooLarge(long maxBytes) {
        return new FetchException("body larger than max_image_bytes (" + maxBytes + ")");
    }
}

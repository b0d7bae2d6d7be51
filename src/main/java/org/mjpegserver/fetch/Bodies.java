package org.mjpegserver.fetch;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;

/** Reads a body with a size limit and a deadline, so that neither a huge nor a trickling upstream holds a poller. */
final class Bodies {

    private Bodies() {
    }

    /**
     * Reads all of {@code in}, failing as soon as it passes {@code maxBytes} or {@code deadlineNanos}
     * (a {@link System#nanoTime()} value) without reading the rest.
     */
    static byte[] read(InputStream in, long maxBytes, long expectedLength, long deadlineNanos) throws IOException, FetchException {
        int initial = (int) Math.min(Math.max(expectedLength, 16 * 1024), Math.min(maxBytes + 1, 8L * 1024 * 1024));
        ByteArrayOutputStream out = new ByteArrayOutputStream(initial);
        byte[] buffer = new byte[64 * 1024];
        long total = 0;
        int n;
        while ((n = in.read(buffer)) >= 0) {
            total += n;
            if (total > maxBytes) {
                throw new FetchException("body larger than max_image_bytes (" + maxBytes + ")");
            }
            out.write(buffer, 0, n);
            if (System.nanoTime() - deadlineNanos > 0) {
                throw new FetchException("body not complete within the read timeout");
            }
        }
        return out.toByteArray();
    }
}

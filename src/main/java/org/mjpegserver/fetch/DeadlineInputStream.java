package org.mjpegserver.fetch;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;

/**
 * Fails a read once a deadline has passed. The socket's timeout bounds each read; this bounds them all, so that
 * an upstream trickling a byte now and then cannot hold a fetch for ever.
 */
final class DeadlineInputStream extends FilterInputStream {

    private volatile boolean lifted;
    private final long deadlineNanos;

    /** {@code deadlineNanos}: a {@link System#nanoTime()} value. */
    DeadlineInputStream(InputStream in, long deadlineNanos) {
        super(in);
        this.deadlineNanos = deadlineNanos;
    }

    @Override
    public int read() throws IOException {
        check();
        return super.read();
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        check();
        return super.read(b, off, len);
    }

    /** No deadline from now on: the body turned out to be a stream, which is read for as long as it lasts. */
    void lift() {
        lifted = true;
    }

    private void check() throws SocketTimeoutException {
        if (!lifted && System.nanoTime() - deadlineNanos > 0) {
            throw new SocketTimeoutException("body not complete within the read timeout");
        }
    }
}

package org.mjpegserver.fetch;

import java.io.Closeable;

/** What one request to a source gave: a snapshot, nothing new, or an upstream that streams. */
sealed interface Fetched {

    Fetched UNCHANGED = new Unchanged();

    /** One picture, whole. */
    record Snapshot(byte[] body) implements Fetched {
    }

    /** The source is unchanged since the last request (a file not rewritten). */
    record Unchanged() implements Fetched {
    }

    /**
     * An upstream MJPEG stream, open: its parts are read until it ends. Closing {@code connection} drops the
     * connection at once, from any thread, which also ends a read that is waiting for bytes.
     */
    record Stream(PartReader parts, Closeable connection) implements Fetched {
    }
}

package org.mjpegserver.fetch;

import java.io.Closeable;

/** Where an image's bytes come from. Called by one poller, never concurrently. */
interface Source extends Closeable {

    /** The body of the current image, or null when it is known to be unchanged since the last call. */
    byte[] fetch() throws FetchException;

    @Override
    default void close() {
    }
}

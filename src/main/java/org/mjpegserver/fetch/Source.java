package org.mjpegserver.fetch;

import java.io.Closeable;

/** Where an image's bytes come from. Called by one poller, never concurrently. */
interface Source extends Closeable {

    /** Asks the source once. A stream it returns is read by the caller, and is closed before the next call. */
    Fetched fetch() throws FetchException;

    @Override
    default void close() {
    }
}

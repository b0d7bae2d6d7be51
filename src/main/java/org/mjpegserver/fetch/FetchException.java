package org.mjpegserver.fetch;

/** A failed fetch; the message is short, free of secrets and fit for logs and {@code last_error}. */
public final class FetchException extends Exception {

    public FetchException(String message) {
        super(message, null, false, false);
    }
}

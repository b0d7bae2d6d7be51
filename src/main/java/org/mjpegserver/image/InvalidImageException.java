package org.mjpegserver.image;

/** A fetched body that must not become a frame; the message is short and safe to log and show. */
public final class InvalidImageException extends Exception {

    public InvalidImageException(String message) {
        super(message, null, false, false);
    }
}

package org.mjpegserver.testing;

import java.io.IOException;

/** The MJPEG stream broke the wire format; the message says exactly where and how. */
public class MjpegFormatException extends IOException {

    private static final long serialVersionUID = 1L;

    public MjpegFormatException(String message) {
        super(message);
    }
}

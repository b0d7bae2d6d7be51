package org.mjpegserver.config;

/** How much a fetched body is checked before it becomes a frame. */
public enum Validation {
    /** Only data that decodes as JPEG. */
    VALID_JPEG,
    /** Any readable format, re-encoded as baseline JPEG. */
    CONVERSION,
    /** Anything but an empty body. */
    ZERO_BYTES,
    /** Bytes pass through unchecked. */
    NONE
}

package org.mjpegserver.config;

/** What a stream shows once no valid frame has arrived for {@code image_timeout_seconds}. */
public enum TimeoutBehavior {
    /** End open streams; snapshots answer 503. */
    DISCONNECT,
    /** Send the stale image. */
    STALE_IMAGE,
    /** Keep sending the last good frame (the stale image if there never was one). */
    LAST_FRAME
}

package org.mjpegserver.frames;

/** Where an image's source stands, as the dashboard and {@code /images} show it. */
public enum FeedState {
    /** No fetch has succeeded yet, and the timeout has not passed. */
    STARTING,
    /** The last fetch gave a valid frame. */
    FRESH,
    /** Fetches fail, but the last good frame is younger than the timeout. */
    FAILING,
    /** No valid frame for {@code image_timeout_seconds}: the timeout behaviour applies. */
    STALE,
    /**
     * Nobody watches and {@code fetch_minimum_fps} is 0, so the source rests: no fetches, no stream connection.
     * Not a fault: the image is not judged stale while it rests, and the next viewer or snapshot wakes it.
     */
    IDLE
}

package org.mjpegserver.frames;

import java.util.concurrent.atomic.LongAdder;

/**
 * What {@code /images} and the metrics show of an image's upstream: which kind of source it turned out to be,
 * whether a stream source is connected now, and how many frames it sent and how many of them were dropped
 * (surplus to the rate the viewers want, or larger than {@code max_image_bytes}). Written by the image's source.
 */
public final class SourceStatus {

    /** How an image gets its frames. An http(s) image is {@link #UNKNOWN} until its first answer says. */
    public enum Kind {
        UNKNOWN, SNAPSHOT, STREAM, FILE, TEST_PATTERN
    }

    private final LongAdder framesReceived = new LongAdder();
    private final LongAdder framesDropped = new LongAdder();
    private volatile Kind kind;
    private volatile boolean connected;

    public SourceStatus(Kind kind) {
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }

    public void kind(Kind kind) {
        this.kind = kind;
    }

    /** Whether a stream source's connection is open now; always false for other kinds. */
    public boolean connected() {
        return connected;
    }

    public void connected(boolean connected) {
        this.connected = connected;
    }

    /** A stream sent a frame, taken or not. */
    public void received() {
        framesReceived.increment();
    }

    /** A frame a stream sent was read and thrown away. */
    public void dropped() {
        framesDropped.increment();
    }

    public long framesReceived() {
        return framesReceived.sum();
    }

    public long framesDropped() {
        return framesDropped.sum();
    }
}

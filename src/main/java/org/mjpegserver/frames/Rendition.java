package org.mjpegserver.frames;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.ReentrantLock;
import org.mjpegserver.image.InvalidImageException;
import org.mjpegserver.image.JpegDimensions;
import org.mjpegserver.image.JpegResize;

/**
 * An image at one width step, shared by every viewer and snapshot asking for it: each source frame is scaled once,
 * its wire part with it, however many read it. It remembers the newest frame it made and, apart, the stale image
 * at its size, which would otherwise be scaled again each time the feed went back and forth.
 */
public final class Rendition {

    private record Made(Frame source, Frame frame) {
    }

    private final int width;
    private final Renditions owner;
    private final ReentrantLock making = new ReentrantLock();
    private final List<Viewer> viewers = new CopyOnWriteArrayList<>();
    private volatile long lastWantedNanos;
    private volatile Made latest;
    private volatile Made stale;

    Rendition(int width, Renditions owner, long nowNanos) {
        this.width = width;
        this.owner = owner;
        this.lastWantedNanos = nowNanos;
    }

    /** The width step; frames of a source not wider than this pass through unscaled. */
    public int width() {
        return width;
    }

    /** The width and height of the newest frame made, or null before the first. */
    public JpegDimensions madeSize() {
        Made made = latest == null ? stale : latest;
        return made == null ? null : JpegDimensions.of(made.frame().jpeg());
    }

    public int viewerCount() {
        return viewers.size();
    }

    List<Viewer> viewers() {
        return viewers;
    }

    void wanted(long nowNanos) {
        lastWantedNanos = nowNanos;
    }

    /** Nobody streams it and nobody has asked for it for {@code lingerNanos}. */
    boolean unwanted(long nowNanos, long lingerNanos) {
        return viewers.isEmpty() && nowNanos - lastWantedNanos > lingerNanos;
    }

    /**
     * {@code source} at this width, made now unless it was made before. While another thread is making a newer
     * frame, a stream asking to repeat its picture gets the newest one made rather than waiting for the scale.
     */
    Frame at(Frame source, JpegResize resize) {
        Made hit = madeFrom(source);
        if (hit != null) {
            return hit.frame();
        }
        if (!making.tryLock()) {
            Made newest = latest;
            if (newest != null && source.sequence() != 0) {
                return newest.frame();
            }
            making.lock();
        }
        try {
            hit = madeFrom(source);
            if (hit != null) {
                return hit.frame();
            }
            Made made = new Made(source, scale(source, resize));
            if (source.sequence() == 0) {
                stale = made;
            } else if (latest == null || latest.source().sequence() < source.sequence()) {
                latest = made;
            }
            return made.frame();
        } finally {
            making.unlock();
        }
    }

    private Made madeFrom(Frame source) {
        Made made = source.sequence() == 0 ? stale : latest;
        return made != null && made.source() == source ? made : null;
    }

    private Frame scale(Frame source, JpegResize resize) {
        long started = System.nanoTime();
        byte[] jpeg;
        try {
            jpeg = resize.toWidth(width);
        } catch (InvalidImageException e) {
            // Only an image without validation can hold bytes that do not decode: it is shown as it came.
            return source;
        }
        if (jpeg == source.jpeg()) {
            return source;
        }
        owner.scaled(System.nanoTime() - started);
        return Frame.of(jpeg, source.capturedAt(), source.sequence());
    }
}

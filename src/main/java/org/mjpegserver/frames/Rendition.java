package org.mjpegserver.frames;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
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
    private final Object making = new Object();
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

    /** {@code source} at this width, made now unless it was made before (then waiting while it is being made). */
    Frame at(Frame source, JpegResize resize) {
        Made hit = madeFrom(source);
        if (hit != null) {
            return hit.frame();
        }
        synchronized (making) {
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
        }
    }

    /**
     * What a stream repeats: {@code source} at this width if made, else the newest frame made. A new frame is
     * made by the thread that fetched it and delivered with it, so a stream's timer never waits for a scale; only
     * the stale image, or a size with nothing made yet, is made here.
     */
    Frame repeat(Frame source, JpegResize resize) {
        Made hit = madeFrom(source);
        if (hit != null) {
            return hit.frame();
        }
        Made newest = latest;
        return newest != null && source.sequence() != 0 ? newest.frame() : at(source, resize);
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

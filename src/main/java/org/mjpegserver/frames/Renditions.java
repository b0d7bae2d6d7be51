package org.mjpegserver.frames;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BiConsumer;
import org.mjpegserver.image.JpegResize;

/**
 * The sizes one image is being produced at, for {@code ?width=} and {@code ?height=}. At most {@link #MAX_SIZES}
 * live at once; beyond that a request gets the nearest live size (the smaller of two as near), so the scaling work per frame has a bound
 * whatever clients ask. A size lives while a stream reads it and for {@link #LINGER_NANOS} after the last
 * snapshot or stream asked for it, then it is dropped.
 */
final class Renditions {

    static final int MAX_SIZES = 4;
    /** Long enough for a dashboard polling snapshots every few seconds to keep its size. */
    static final long LINGER_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final long maxPixels;
    private final float quality;
    private final LongAdder framesScaled = new LongAdder();
    private final LongAdder scaleNanos = new LongAdder();
    // Guarded by this; replaced, never changed, so that a new frame walks it without the lock.
    private volatile Map<Integer, Rendition> live = Map.of();

    /** {@code maxPixels} bounds every decode; {@code quality} (0 to 1) is the image's {@code jpeg_quality}. */
    Renditions(long maxPixels, float quality) {
        this.maxPixels = maxPixels;
        this.quality = quality;
    }

    /** The live size for {@code width}: made for it while the bound allows, else the nearest live one. */
    synchronized Rendition resolve(int width, long nowNanos) {
        drop(nowNanos);
        Rendition rendition = live.get(width);
        if (rendition == null && live.size() < MAX_SIZES) {
            rendition = new Rendition(width, this, nowNanos);
            Map<Integer, Rendition> next = new LinkedHashMap<>(live);
            next.put(width, rendition);
            live = Map.copyOf(next);
        } else if (rendition == null) {
            // Between two as near, the smaller: it fits the box asked for.
            rendition = live.values().stream().min(Comparator.comparingInt((Rendition r) -> Math.abs(r.width() - width))
                    .thenComparingInt(Rendition::width)).orElseThrow();
        }
        rendition.wanted(nowNanos);
        return rendition;
    }

    /** Drops the sizes nobody wants any more. */
    synchronized void drop(long nowNanos) {
        if (live.values().stream().anyMatch(r -> r.unwanted(nowNanos, LINGER_NANOS))) {
            Map<Integer, Rendition> next = new LinkedHashMap<>(live);
            next.values().removeIf(r -> r.unwanted(nowNanos, LINGER_NANOS));
            live = Map.copyOf(next);
        }
    }

    void join(Rendition rendition, Viewer viewer) {
        rendition.viewers().add(viewer);
    }

    void leave(Rendition rendition, Viewer viewer, long nowNanos) {
        if (rendition.viewers().remove(viewer)) {
            rendition.wanted(nowNanos);
        }
    }

    /**
     * A new source frame: made at every size that streams read, decoded once for all of them, and handed to those
     * streams. Sizes only snapshots ask for are made when the next snapshot asks.
     */
    void publish(Frame frame, BiConsumer<Frame, Object[]> deliver) {
        drop(System.nanoTime());
        JpegResize resize = new JpegResize(frame.jpeg(), maxPixels, quality);
        for (Rendition rendition : live.values()) {
            Object[] viewers = rendition.viewers().toArray();
            if (viewers.length > 0) {
                deliver.accept(rendition.at(frame, resize), viewers);
            }
        }
    }

    /** {@code source} at {@code rendition}'s size. */
    Frame at(Rendition rendition, Frame source) {
        return rendition.at(source, new JpegResize(source.jpeg(), maxPixels, quality));
    }

    /** What a stream at {@code rendition}'s size repeats while {@code source} is current; see {@link Rendition#repeat}. */
    Frame repeat(Rendition rendition, Frame source) {
        return rendition.repeat(source, new JpegResize(source.jpeg(), maxPixels, quality));
    }

    List<Rendition> live() {
        List<Rendition> sizes = new ArrayList<>(live.values());
        sizes.sort(Comparator.comparingInt(Rendition::width));
        return sizes;
    }

    void scaled(long nanos) {
        framesScaled.increment();
        scaleNanos.add(nanos);
    }

    long framesScaled() {
        return framesScaled.sum();
    }

    double scaleSeconds() {
        return scaleNanos.sum() / 1e9;
    }
}

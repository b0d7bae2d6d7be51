package org.mjpegserver.frames;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.logging.Logger;
import org.mjpegserver.config.ImageConfig;
import org.mjpegserver.config.TimeoutBehavior;
import org.mjpegserver.image.JpegDimensions;

/**
 * The live state of one image: its latest good frame, whether the source is fresh, failing or stale, the
 * counters behind {@code /images}, and the viewers to push new frames to. Written by the image's poller,
 * read by any number of streams.
 */
public final class ImageFeed {

    private static final Logger LOG = Logger.getLogger(ImageFeed.class.getName());
    /** Viewers per fan-out task: small enough to spread a frame over every core, big enough to be worth a task. */
    private static final int FANOUT_SLICE = 32;
    /**
     * A snapshot request of an image fetched on demand ({@code fetch_minimum_fps: 0}) counts as a viewer at this rate
     * for {@code close_after_last_viewer_seconds}: it wakes the resting source, and keeps it awake long enough that
     * the next request of a polling client (a dashboard preview) finds a fresh frame. An image fetched anyway keeps
     * its rate: polling its snapshot must not make its camera work harder.
     */
    static final double SNAPSHOT_DEMAND_FPS = 1;

    private final ImageConfig config;
    private final Frame staleFrame;
    private final long timeoutNanos;
    private final List<Viewer> viewers = new CopyOnWriteArrayList<>();
    /** The viewers of the source's own size; the others are each in their {@link Rendition}. */
    private final List<Viewer> sourceSizeViewers = new CopyOnWriteArrayList<>();
    private final Renditions renditions;
    private final Executor fanout;
    private final RateMeter fetchRate = new RateMeter();
    private final AtomicLong fetchesOk = new AtomicLong();
    private final AtomicLong fetchesFailed = new AtomicLong();
    private final AtomicLong sequence = new AtomicLong();
    private final LongAdder framesSent = new LongAdder();
    private final LongAdder bytesSent = new LongAdder();
    private final LongAdder framesSkipped = new LongAdder();
    private final LongAdder framesShaped = new LongAdder();
    private final LongAdder shapingNanos = new LongAdder();
    private final SourceStatus source = new SourceStatus(SourceStatus.Kind.UNKNOWN);
    private final long watchLingerNanos;
    private volatile Frame latest;
    private volatile long lastGoodNanos;
    private volatile FeedState state = FeedState.STARTING;
    private volatile String lastError;
    private volatile Instant lastErrorAt;
    private volatile Runnable demandListener = () -> { };
    /** When the last viewer left or the last snapshot was asked for; see {@link #unwatchedNanos}. */
    private volatile long lastWatchedNanos;
    private volatile long lastSnapshotNanos;
    // Guarded by this: completed by the next publish or failure, for snapshot requests that wait for a frame.
    private CompletableFuture<Frame> nextFrame;

    /** {@code fanout} runs the delivery of a new frame to many viewers on several threads at once. */
    public ImageFeed(ImageConfig config, byte[] staleJpeg, Executor fanout) {
        this.config = config;
        this.fanout = fanout;
        this.staleFrame = Frame.of(staleJpeg, Instant.now(), 0);
        this.timeoutNanos = config.settings().imageTimeout().toNanos();
        this.watchLingerNanos = config.settings().closeAfterLastViewer().toNanos();
        this.renditions = new Renditions(config.settings().maxImagePixels(), config.settings().shaping().jpegQuality() / 100f);
        this.lastGoodNanos = System.nanoTime();
        this.lastWatchedNanos = lastGoodNanos;
        this.lastSnapshotNanos = lastGoodNanos - watchLingerNanos - 1;
    }

    public ImageConfig config() {
        return config;
    }

    public String id() {
        return config.id();
    }

    /**
     * A fetch gave a valid JPEG, whose body {@code arrived} at that time: it becomes the latest frame and goes to
     * every viewer at once.
     */
    public void publish(byte[] jpeg, Instant arrived) {
        Frame frame = Frame.of(jpeg, arrived, sequence.incrementAndGet());
        latest = frame;
        recordSuccess();
        deliver(frame, sourceSizeViewers.toArray());
        wakeWaiting(frame);
        renditions.publish(frame, this::deliver);
    }

    /**
     * Pushes the frame to every viewer now. Writing ~100 KB to each of hundreds of viewers takes one thread
     * tens of milliseconds, so large audiences are split into slices written in parallel; the fetching thread
     * takes the last slice itself.
     */
    private void deliver(Frame frame, Object[] all) {
        int slices = (all.length + FANOUT_SLICE - 1) / FANOUT_SLICE;
        for (int slice = 1; slice < slices; slice++) {
            int from = slice * FANOUT_SLICE;
            try {
                fanout.execute(() -> deliver(frame, all, from, Math.min(all.length, from + FANOUT_SLICE)));
            } catch (RejectedExecutionException e) {
                // Stopping: the viewers are being ended anyway.
                return;
            }
        }
        deliver(frame, all, 0, Math.min(all.length, FANOUT_SLICE));
    }

    private static void deliver(Frame frame, Object[] viewers, int from, int to) {
        for (int i = from; i < to; i++) {
            ((Viewer) viewers[i]).onFrame(frame);
        }
    }

    /** A fetch found the source unchanged (a file not rewritten): the source is alive, the frame still current. */
    public void unchanged() {
        recordSuccess();
    }

    private synchronized void recordSuccess() {
        long now = System.nanoTime();
        lastGoodNanos = now;
        fetchesOk.incrementAndGet();
        fetchRate.record(now);
        FeedState previous = state;
        state = FeedState.FRESH;
        if (previous == FeedState.STALE) {
            LOG.info(() -> "Image '" + id() + "' recovered");
        } else if (previous == FeedState.FAILING) {
            LOG.info(() -> "Image '" + id() + "' fetches succeed again");
        }
    }

    /** A fetch failed; the previous frame stays. Logged only when the state changes, not per attempt. */
    public synchronized void fail(String reason) {
        fetchesFailed.incrementAndGet();
        lastError = reason;
        lastErrorAt = Instant.now();
        if (state == FeedState.FRESH || state == FeedState.STARTING || state == FeedState.IDLE) {
            state = FeedState.FAILING;
            LOG.warning(() -> "Image '" + id() + "' fetch failed: " + reason);
        }
        wakeWaiting(null);
    }

    /**
     * The source rests (nobody watches and {@code fetch_minimum_fps} is 0). Its staleness clock stops: an image
     * nobody asked for is not failing, and it starts again from the next fetch.
     */
    public synchronized void rest() {
        if (state != FeedState.STALE) {
            state = FeedState.IDLE;
        }
    }

    /**
     * A frame soon: completes with the next frame published, or with null when the next fetch fails. Snapshot
     * requests wait on it while the image rests or has had no frame yet.
     */
    public synchronized CompletableFuture<Frame> nextFrame() {
        if (nextFrame == null) {
            nextFrame = new CompletableFuture<>();
        }
        return nextFrame;
    }

    private void wakeWaiting(Frame frame) {
        CompletableFuture<Frame> waiting;
        synchronized (this) {
            waiting = nextFrame;
            nextFrame = null;
        }
        if (waiting != null) {
            waiting.complete(frame);
        }
    }

    /**
     * Called periodically: marks the feed stale once no valid frame has come for the timeout, and applies the
     * timeout behaviour to open streams.
     */
    public void checkStale(long nowNanos) {
        synchronized (this) {
            if (state == FeedState.STALE || state == FeedState.IDLE || nowNanos - lastGoodNanos <= timeoutNanos) {
                return;
            }
            state = FeedState.STALE;
        }
        TimeoutBehavior behavior = config.settings().imageTimeoutBehavior();
        LOG.warning(() -> "Image '" + id() + "' is stale: no valid frame for " + config.settings().imageTimeout().toSeconds()
                + " s" + (lastError == null ? "" : " (last error: " + lastError + ")") + "; " + behaviorText(behavior));
        Frame current = current();
        for (Viewer viewer : viewers) {
            if (current == null) {
                viewer.end();
            } else if (current != latest) {
                viewer.onFrame(at(viewer.rendition(), current));
            }
        }
    }

    private static String behaviorText(TimeoutBehavior behavior) {
        switch (behavior) {
            case DISCONNECT: return "ending its streams";
            case STALE_IMAGE: return "sending the stale image";
            default: return "repeating the last frame";
        }
    }

    /** The frame to show now: the latest, or what the timeout behaviour says; null when there is none to show. */
    public Frame current() {
        Frame frame = latest;
        if (state != FeedState.STALE) {
            return frame;
        }
        switch (config.settings().imageTimeoutBehavior()) {
            case DISCONNECT:
                return null;
            case STALE_IMAGE:
                return staleFrame;
            default:
                return frame == null ? staleFrame : frame;
        }
    }

    /**
     * The frame a stream at {@code rendition}'s size (null: the source's own) shows now; null when there is none to
     * show. At a size, while the newest frame is still being scaled, the one before it.
     */
    public Frame current(Rendition rendition) {
        Frame frame = current();
        return frame == null || rendition == null ? frame : renditions.repeat(rendition, frame);
    }

    /** {@code frame} at {@code rendition}'s size (null: the source's own), scaled once for everybody who asks. */
    public Frame at(Rendition rendition, Frame frame) {
        return rendition == null ? frame : renditions.at(rendition, frame);
    }

    /**
     * The size {@code request} gets of {@code frame}, resolved against the frame's own size: null for the source's
     * own (nothing asked, or the source is not larger), else a shared {@link Rendition}, live from now on for a while.
     */
    public Rendition rendition(SizeRequest request, Frame frame) {
        if (request.equals(SizeRequest.SOURCE)) {
            return null;
        }
        int width = request.widthStep(JpegDimensions.of((frame == null ? staleFrame : frame).jpeg()));
        return width == 0 ? null : renditions.resolve(width, System.nanoTime());
    }

    /** The sizes being produced, smallest first. */
    public List<Rendition> renditions() {
        return renditions.live();
    }

    public long framesScaled() {
        return renditions.framesScaled();
    }

    public double scaleSeconds() {
        return renditions.scaleSeconds();
    }

    /** Whether the timeout behaviour forbids serving anything now. */
    public boolean refusing() {
        return state == FeedState.STALE && config.settings().imageTimeoutBehavior() == TimeoutBehavior.DISCONNECT;
    }

    public void addViewer(Viewer viewer) {
        if (viewer.rendition() == null) {
            sourceSizeViewers.add(viewer);
        } else {
            renditions.join(viewer.rendition(), viewer);
        }
        viewers.add(viewer);
        demandListener.run();
    }

    public void removeViewer(Viewer viewer) {
        if (viewers.remove(viewer)) {
            lastWatchedNanos = System.nanoTime();
            if (viewer.rendition() == null) {
                sourceSizeViewers.remove(viewer);
            } else {
                renditions.leave(viewer.rendition(), viewer, lastWatchedNanos);
            }
            demandListener.run();
        }
    }

    /** Somebody asked for a snapshot: demand at {@link #SNAPSHOT_DEMAND_FPS} for a while, see {@link #demandFps}. */
    public void snapshotRequested() {
        long now = System.nanoTime();
        lastSnapshotNanos = now;
        lastWatchedNanos = now;
        demandListener.run();
    }

    /** How long nobody has watched: 0 while a stream is open, else the time since the last left or the last snapshot. */
    public long unwatchedNanos(long nowNanos) {
        return viewers.isEmpty() ? Math.max(0, nowNanos - lastWatchedNanos) : 0;
    }

    /** Ends every open stream, for a feed being removed. */
    public void endAll() {
        for (Viewer viewer : viewers) {
            viewer.end();
        }
    }

    public List<Viewer> viewers() {
        return List.copyOf(viewers);
    }

    /**
     * The highest frame rate any open stream wants; 0 when nobody watches. For an image fetched on demand, at least
     * {@link #SNAPSHOT_DEMAND_FPS} for {@code close_after_last_viewer_seconds} after a snapshot request.
     */
    public double demandFps() {
        boolean snapshotWakes = config.settings().onDemand() && System.nanoTime() - lastSnapshotNanos <= watchLingerNanos;
        double highest = snapshotWakes ? SNAPSHOT_DEMAND_FPS : 0;
        for (Viewer viewer : viewers) {
            highest = Math.max(highest, viewer.fps());
        }
        return highest;
    }

    /**
     * Told when a viewer joins or leaves, or a snapshot is asked for, so the source can speed up or wake at once
     * rather than after its current wait, and can plan to rest once nobody watches.
     */
    public void onDemandChange(Runnable listener) {
        this.demandListener = listener;
    }

    public FeedState state() {
        return state;
    }

    /** The kind and counters of the image's upstream, kept by its source. */
    public SourceStatus source() {
        return source;
    }

    public Frame latest() {
        return latest;
    }

    public String lastError() {
        return lastError;
    }

    public Instant lastErrorAt() {
        return lastErrorAt;
    }

    public long fetchesOk() {
        return fetchesOk.get();
    }

    public long fetchesFailed() {
        return fetchesFailed.get();
    }

    /** A stream wrote one frame of {@code bytes} bytes. */
    public void countSent(int bytes) {
        framesSent.increment();
        bytesSent.add(bytes);
    }

    /** A slow stream skipped a new frame, replaced by a newer one before it could be sent. */
    public void countSkipped() {
        framesSkipped.increment();
    }

    /** A frame was shaped (cropped, rotated, scaled or stamped) in {@code nanos} before it was published. */
    public void countShaped(long nanos) {
        framesShaped.increment();
        shapingNanos.add(nanos);
    }

    public long framesShaped() {
        return framesShaped.sum();
    }

    public double shapingSeconds() {
        return shapingNanos.sum() / 1e9;
    }

    public long framesSent() {
        return framesSent.sum();
    }

    public long bytesSent() {
        return bytesSent.sum();
    }

    public long framesSkipped() {
        return framesSkipped.sum();
    }

    /** Seconds since the last valid frame (or since the feed started, when there was none). */
    public double secondsSinceLastGood() {
        return (System.nanoTime() - lastGoodNanos) / 1e9;
    }

    public double averageFetchFps() {
        return fetchRate.perSecond(System.nanoTime());
    }
}

package org.mjpegserver.stream;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import java.io.IOException;
import java.time.Instant;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.mjpegserver.frames.Frame;
import org.mjpegserver.frames.ImageFeed;
import org.mjpegserver.frames.RateMeter;
import org.mjpegserver.frames.Rendition;
import org.mjpegserver.frames.Viewer;
import org.mjpegserver.frames.ViewerInfo;

/**
 * One viewer's MJPEG stream, written without a thread of its own. A new frame is pushed the moment it arrives;
 * between arrivals a timer repeats the latest, so the viewer sees a steady {@code fps}. A token bucket keeps
 * the two together at {@code fps} on average. Writes happen only while the container says the connection can
 * take them ({@link ServletOutputStream#isReady()}); a viewer that reads slowly simply skips to the newest
 * frame.
 * <p>
 * A part goes to the container whole when it fits the connector's socket write buffer, otherwise in slices of
 * that buffer's size, each written only once the container has sent the one before. Tomcat copies whatever a
 * non-blocking write cannot put into that buffer into a new heap array (with a stock connector's 8 KB buffer:
 * nearly every frame, for every viewer); in slices nothing is copied, and a viewer that stops reading holds at
 * most one buffer of bytes in the container.
 */
final class StreamSession implements Viewer, WriteListener, AsyncListener {

    private static final AtomicLong IDS = new AtomicLong();
    /** A viewer that has taken no bytes for this long is gone in all but name: its stream is ended. */
    private static final long STALL_LIMIT_NANOS = TimeUnit.SECONDS.toNanos(60);

    private final long id = IDS.incrementAndGet();
    private final Instant started = Instant.now();
    private final AsyncContext async;
    private final ServletOutputStream out;
    private final ImageFeed feed;
    private final StreamClock clock;
    private final double fps;
    private final Double requestedFps;
    private final Rendition rendition;
    private final int sliceBytes;
    private final long periodNanos;
    private final RateMeter sentRate = new RateMeter();
    private final AtomicLong framesSent = new AtomicLong();

    // Guarded by this.
    private Frame pending;
    /** The part being written, and how much of it the container has taken. */
    private Frame sending;
    private int sendingOffset;
    private boolean writing;
    private boolean flushOwed;
    private boolean closed;
    private double tokens = 1;
    private long tokensAt = System.nanoTime();
    private long blockedSince;
    private long lastSentSequence;
    private ScheduledFuture<?> timer;

    /** {@code sliceBytes}: the connector's socket write buffer size, the most a write may hand over at once. */
    StreamSession(AsyncContext async, ImageFeed feed, StreamClock clock, double fps, Double requestedFps, Rendition rendition,
            int sliceBytes)
            throws IOException {
        this.async = async;
        this.out = async.getResponse().getOutputStream();
        this.feed = feed;
        this.clock = clock;
        this.fps = fps;
        this.requestedFps = requestedFps;
        this.rendition = rendition;
        this.periodNanos = (long) (1e9 / fps);
        this.sliceBytes = sliceBytes;
    }

    /** Joins the feed and starts writing; the container calls {@link #onWritePossible()} first. */
    void start() {
        async.addListener(this);
        feed.addViewer(this);
        out.setWriteListener(this);
    }

    @Override
    public synchronized void onFrame(Frame frame) {
        if (closed || frame.sequence() != 0 && (frame.sequence() <= lastSentSequence
                || pending != null && pending.sequence() > frame.sequence())) {
            // Parallel fan-out may hand over an older frame after a newer one: never go back.
            return;
        }
        if (pending != null && pending.sequence() > lastSentSequence && pending.sequence() != frame.sequence()) {
            // A new frame that never went out: this viewer reads slower than frames arrive.
            feed.countSkipped();
        }
        pending = frame;
        refill(System.nanoTime());
        if (writing && tokens >= 0) {
            pump();
        }
    }

    @Override
    public synchronized void onWritePossible() {
        if (!writing) {
            // The container's first call: only now may other threads write.
            writing = true;
            Frame first = feed.current(rendition);
            try {
                out.write(Frame.PREAMBLE);
            } catch (IOException e) {
                close();
                return;
            }
            flushOwed = true;
            // Twice, the first time out of turn: a browser draws a part only once the next one begins.
            sending = first;
            if (pending == null) {
                pending = first;
            }
            schedule(System.nanoTime());
        }
        pump();
    }

    /** The timer: sends a frame that waited for its turn, or repeats the latest when nothing new came. */
    private synchronized void tick() {
        timer = null;
        if (closed) {
            return;
        }
        long now = System.nanoTime();
        refill(now);
        if (pending == null && tokens >= 1) {
            Frame current = feed.current(rendition);
            if (current == null && feed.refusing()) {
                end();
                return;
            }
            pending = current;
        }
        if (blockedSince != 0 && now - blockedSince > STALL_LIMIT_NANOS) {
            close();
            return;
        }
        if (pending != null && tokens >= 0) {
            pump();
        }
        schedule(now);
    }

    /** Writes what is due for as long as the connection takes it. Called holding this. */
    private void pump() {
        try {
            while (!closed) {
                if (!out.isReady()) {
                    if (blockedSince == 0) {
                        blockedSince = System.nanoTime();
                    }
                    return;
                }
                blockedSince = 0;
                if (flushOwed) {
                    flushOwed = false;
                    out.flush();
                    continue;
                }
                if (sending == null) {
                    Frame frame = pending;
                    if (frame == null || tokens < 0) {
                        return;
                    }
                    pending = null;
                    tokens -= 1;
                    sending = frame;
                    lastSentSequence = Math.max(lastSentSequence, frame.sequence());
                }
                writeSlice();
                flushOwed = true;
            }
        } catch (IOException | IllegalStateException e) {
            // The viewer went away (or the response is already completed): nothing to report to anyone.
            close();
        }
    }

    /** Hands the container the next slice of the part being sent. Called holding this, only while it is ready. */
    private void writeSlice() throws IOException {
        byte[] part = sending.part();
        int length = Math.min(sliceBytes, part.length - sendingOffset);
        out.write(part, sendingOffset, length);
        sendingOffset += length;
        if (sendingOffset == part.length) {
            sentRate.record(System.nanoTime());
            framesSent.incrementAndGet();
            feed.countSent(part.length);
            sending = null;
            sendingOffset = 0;
        }
    }

    private void refill(long now) {
        tokens = Math.min(1, tokens + (now - tokensAt) / (double) periodNanos);
        tokensAt = now;
    }

    /** Plans the next tick for when the bucket will allow what is due next. Called holding this. */
    private void schedule(long now) {
        if (closed || timer != null) {
            return;
        }
        double target = pending != null ? 0 : 1;
        long wait = tokens >= target ? periodNanos : (long) ((target - tokens) * periodNanos);
        try {
            timer = clock.schedule(this::tick, Math.max(wait, 1_000_000L));
        } catch (RejectedExecutionException e) {
            // The server is stopping.
            close();
        }
    }

    @Override
    public void onError(Throwable t) {
        close();
    }

    /** Ends the stream: the feed went stale under {@code disconnect}, or the image was removed. */
    @Override
    public void end() {
        close();
    }

    private void close() {
        ScheduledFuture<?> cancel;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            pending = null;
            sending = null;
            cancel = timer;
            timer = null;
        }
        feed.removeViewer(this);
        if (cancel != null) {
            cancel.cancel(false);
        }
        complete();
    }

    private void complete() {
        try {
            async.complete();
        } catch (IllegalStateException e) {
            // Already completed by the container (the viewer disconnected).
        }
    }

    @Override
    public double fps() {
        return fps;
    }

    @Override
    public Rendition rendition() {
        return rendition;
    }

    @Override
    public ViewerInfo info() {
        return new ViewerInfo(id, started, requestedFps, fps, sentRate.perSecond(System.nanoTime()), framesSent.get());
    }

    @Override
    public void onComplete(AsyncEvent event) {
        close();
    }

    @Override
    public void onTimeout(AsyncEvent event) {
        close();
    }

    @Override
    public void onError(AsyncEvent event) {
        close();
        // Even when a failed write closed the stream first: unless a listener completes the request here,
        // Tomcat dispatches it to the error page, which fails on a response that is half an MJPEG stream
        // and logs a SEVERE stack trace for every viewer that disconnects.
        complete();
    }

    @Override
    public void onStartAsync(AsyncEvent event) {
        // Not restarted.
    }
}

package org.mjpegserver.fetch;

import java.time.Instant;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.mjpegserver.config.ImageSettings;
import org.mjpegserver.frames.ImageFeed;
import org.mjpegserver.frames.SourceStatus;
import org.mjpegserver.image.FrameShaper;
import org.mjpegserver.image.FrameValidator;
import org.mjpegserver.image.InvalidImageException;

/**
 * Gets one image's frames from its source, whichever kind it turns out to be. A snapshot source is asked again
 * and again on the shared scheduler, each fetch scheduling the next, so there is never more than one request in
 * flight per image. A source that answers with a stream is read by a {@link StreamRelay} on a thread of its own
 * over that one connection, whoever watches. Either way the rate follows the fastest open stream within the
 * image's fetch limits; failures and lost streams back off exponentially up to the image timeout; and with
 * {@code fetch_minimum_fps: 0} the source rests while nobody watches.
 */
public final class Poller {

    private static final Logger LOG = Logger.getLogger(Poller.class.getName());
    /** First wait before a lost stream is opened again; it doubles with each failure, up to the image timeout. */
    static final long RECONNECT_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final ImageFeed feed;
    private final ImageSettings settings;
    private final Source source;
    private final FrameValidator validator;
    private final FrameShaper shaper;
    private final ScheduledExecutorService scheduler;
    private final Executor streamThreads;
    private final FetchObserver observer;
    private final Object lock = new Object();
    // Guarded by lock.
    private ScheduledFuture<?> next;
    private ScheduledFuture<?> idleCheck;
    private StreamRelay relay;
    private boolean busy;
    private boolean stopped;
    private boolean lastWasStream;
    private long lastStartNanos;
    private int consecutiveFailures;

    /** {@code streamThreads} runs stream sources, one long task each, apart from the scheduler's short fetches. */
    public Poller(ImageFeed feed, ScheduledExecutorService scheduler, Executor streamThreads, FetchObserver observer) {
        this.feed = feed;
        this.settings = feed.config().settings();
        this.source = Sources.open(feed.config());
        this.validator = new FrameValidator(settings);
        this.shaper = new FrameShaper(settings.shaping(), feed.id(), settings.maxImagePixels());
        this.scheduler = scheduler;
        this.streamThreads = streamThreads;
        this.observer = observer;
        feed.source().kind(Sources.kind(feed.config()));
        feed.onDemandChange(this::demandChanged);
    }

    /** Asks the source at once, also when the image is fetched on demand: its first answer tells what it is. */
    public void start() {
        synchronized (lock) {
            next = scheduler.schedule(this::poll, 0, TimeUnit.NANOSECONDS);
        }
    }

    /** Stops fetching and closes the source, which aborts a request in flight and drops a stream's connection. */
    public void stop() {
        StreamRelay open;
        synchronized (lock) {
            stopped = true;
            cancel(next);
            cancel(idleCheck);
            open = relay;
        }
        if (open != null) {
            open.close();
        }
        source.close();
    }

    private void poll() {
        synchronized (lock) {
            if (stopped) {
                return;
            }
            busy = true;
            next = null;
            lastStartNanos = System.nanoTime();
        }
        boolean ok = false;
        Fetched.Stream stream = null;
        try {
            Fetched fetched = source.fetch();
            if (fetched instanceof Fetched.Stream s) {
                stream = s;
                return;
            }
            ok = accept(fetched);
            observe(ok);
        } catch (FetchException e) {
            failUnlessStopped(e.getMessage());
            observe(false);
        } catch (RuntimeException | Error e) {
            // A bug or an ImageIO surprise must not end this image's polling for good.
            LOG.log(Level.SEVERE, "Image '" + feed.id() + "': unexpected failure while fetching", e);
            feed.fail("internal error: " + e.getClass().getSimpleName());
        } finally {
            if (stream == null || !relay(stream)) {
                finished(ok, false, false);
            }
        }
    }

    /** Reports a snapshot fetch's outcome and duration. */
    private void observe(boolean ok) {
        synchronized (lock) {
            // Once stopped, a fetch aborted by the stop is no outcome, and an image removed stays forgotten.
            if (!stopped) {
                observer.fetched(feed.id(), ok, System.nanoTime() - lastStartNanos);
            }
        }
    }

    /** Publishes a snapshot; true when the image is alive. */
    private boolean accept(Fetched fetched) {
        if (fetched instanceof Fetched.Snapshot snapshot) {
            if (feed.source().kind() == SourceStatus.Kind.UNKNOWN) {
                feed.source().kind(SourceStatus.Kind.SNAPSHOT);
            }
            try {
                publish(snapshot.body(), Instant.now());
                return true;
            } catch (InvalidImageException e) {
                failUnlessStopped(e.getMessage());
                return false;
            }
        }
        // Unchanged since the last fetch: alive only if that one was good.
        if (feed.latest() == null || consecutiveFailures() > 0) {
            feed.fail(feed.lastError() == null ? "no valid image yet" : feed.lastError());
            return false;
        }
        feed.unchanged();
        return true;
    }

    /**
     * The one way from a body, snapshot or stream part, to a frame every viewer gets: validated, then shaped
     * once as the config asks, stamped with the time it {@code arrived}. Shaping's cost is counted for /metrics.
     */
    private void publish(byte[] body, Instant arrived) throws InvalidImageException {
        byte[] jpeg = validator.validate(body);
        if (!shaper.passesThrough()) {
            long start = System.nanoTime();
            jpeg = shaper.shape(jpeg, arrived);
            feed.countShaped(System.nanoTime() - start);
        }
        feed.publish(jpeg, arrived);
    }

    /** Hands an open stream to a relay on a thread of its own; false when it could not start (stopping). */
    private boolean relay(Fetched.Stream stream) {
        StreamRelay started = new StreamRelay(stream, feed.source(), this::intervalNanos, new StreamRelay.Sink() {
            @Override
            public void take(byte[] body, Instant arrived) throws InvalidImageException {
                publish(body, arrived);
            }

            @Override
            public void refuse(String reason) {
                failUnlessStopped(reason);
            }
        });
        synchronized (lock) {
            if (stopped) {
                started.close();
                return false;
            }
            relay = started;
        }
        feed.source().kind(SourceStatus.Kind.STREAM);
        try {
            streamThreads.execute(() -> runRelay(started));
            return true;
        } catch (RejectedExecutionException e) {
            synchronized (lock) {
                relay = null;
            }
            started.close();
            return false;
        }
    }

    private void runRelay(StreamRelay running) {
        synchronized (lock) {
            if (settings.onDemand()) {
                planIdleCheck();
            }
        }
        StreamRelay.Ended ended = null;
        try {
            ended = running.run();
            if (ended.how() == StreamRelay.Ended.How.FAILED
                    || ended.how() == StreamRelay.Ended.How.ENDED && ended.framesTaken() == 0) {
                failUnlessStopped(ended.how() == StreamRelay.Ended.How.ENDED ? "the camera ended the stream before its first frame"
                        : "stream: " + ended.reason());
            }
        } catch (RuntimeException | Error e) {
            LOG.log(Level.SEVERE, "Image '" + feed.id() + "': unexpected failure while reading its stream", e);
            feed.fail("internal error: " + e.getClass().getSimpleName());
        } finally {
            synchronized (lock) {
                relay = null;
                cancel(idleCheck);
                idleCheck = null;
            }
            // A stream that delivered frames worked: open it again soon. One that did not backs off further.
            boolean closedByUs = ended != null && ended.how() == StreamRelay.Ended.How.CLOSED;
            finished(closedByUs, ended != null && ended.framesTaken() > 0 && !closedByUs, true);
        }
    }

    /**
     * Plans the next request after a fetch or a stream ended. {@code ok}: it went well; {@code reconnect}: a
     * stream that worked was lost, and is opened again after the first backoff step.
     */
    private void finished(boolean ok, boolean reconnect, boolean stream) {
        synchronized (lock) {
            busy = false;
            lastWasStream = stream;
            if (reconnect) {
                consecutiveFailures = 1;
            } else {
                consecutiveFailures = ok ? 0 : consecutiveFailures + 1;
            }
            if (stopped) {
                return;
            }
            long delay = delayNanos();
            if (delay == Long.MAX_VALUE) {
                feed.rest();
                return;
            }
            next = scheduler.schedule(this::poll, delay, TimeUnit.NANOSECONDS);
        }
    }

    private void failUnlessStopped(String reason) {
        if (!stoppedNow()) {
            feed.fail(reason);
        }
    }

    private int consecutiveFailures() {
        synchronized (lock) {
            return consecutiveFailures;
        }
    }

    private boolean stoppedNow() {
        synchronized (lock) {
            return stopped;
        }
    }

    /** Nanoseconds from now to the next request; {@link Long#MAX_VALUE} to rest until somebody watches. Under lock. */
    private long delayNanos() {
        long interval = intervalNanos();
        if (interval == Long.MAX_VALUE) {
            return interval;
        }
        if (consecutiveFailures > 0) {
            long base = lastWasStream ? RECONNECT_NANOS : interval;
            long backoff = base << Math.min(consecutiveFailures - 1, 20);
            return Math.min(backoff, settings.imageTimeout().toNanos());
        }
        return Math.max(0, lastStartNanos + interval - System.nanoTime());
    }

    /**
     * 1 / clamp(fastest viewer, fetch_minimum_fps, fetch_maximum_fps); the minimum when nobody watches, and
     * {@link Long#MAX_VALUE} (rest) when that minimum is 0.
     */
    long intervalNanos() {
        double fps = Math.max(settings.effectiveMinimumFps(), Math.min(feed.demandFps(), settings.fetchMaximumFps()));
        return fps == 0 ? Long.MAX_VALUE : (long) (1e9 / fps);
    }

    /**
     * A viewer joined or left, or a snapshot was asked for: fetch sooner if the wait planned at a lower rate is
     * longer than the new interval, wake a resting source, or plan to close a stream nobody watches any more.
     */
    private void demandChanged() {
        synchronized (lock) {
            if (stopped) {
                return;
            }
            if (relay != null) {
                if (settings.onDemand()) {
                    planIdleCheck();
                }
                return;
            }
            long interval = intervalNanos();
            if (busy || interval == Long.MAX_VALUE) {
                // A fetch in progress plans the next one itself.
                return;
            }
            long wanted = Math.max(0, lastStartNanos + interval - System.nanoTime());
            if (next == null) {
                // Resting: wake now, past any backoff, since somebody is waiting for a picture.
                next = scheduler.schedule(this::poll, wanted, TimeUnit.NANOSECONDS);
            } else if (consecutiveFailures == 0 && wanted < next.getDelay(TimeUnit.NANOSECONDS) && next.cancel(false)) {
                next = scheduler.schedule(this::poll, wanted, TimeUnit.NANOSECONDS);
            }
        }
    }

    /** Under lock: checks once the close delay has passed whether the open stream is still unwatched. */
    private void planIdleCheck() {
        if (idleCheck == null) {
            idleCheck = scheduler.schedule(this::closeIfUnwatched, settings.closeAfterLastViewer().toNanos(), TimeUnit.NANOSECONDS);
        }
    }

    /** Closes the stream of an on-demand image nobody has watched for {@code close_after_last_viewer_seconds}. */
    private void closeIfUnwatched() {
        StreamRelay idle;
        synchronized (lock) {
            idleCheck = null;
            if (stopped || relay == null) {
                return;
            }
            long unwatched = feed.unwatchedNanos(System.nanoTime());
            long linger = settings.closeAfterLastViewer().toNanos();
            if (unwatched < linger) {
                // While viewers watch, the last one to leave plans the next check.
                if (feed.viewers().isEmpty()) {
                    idleCheck = scheduler.schedule(this::closeIfUnwatched, Math.max(linger - unwatched, 1), TimeUnit.NANOSECONDS);
                }
                return;
            }
            idle = relay;
        }
        LOG.fine(() -> "Image '" + feed.id() + "': nobody watches, closing its stream");
        idle.close();
    }

    private static void cancel(ScheduledFuture<?> future) {
        if (future != null) {
            future.cancel(false);
        }
    }
}

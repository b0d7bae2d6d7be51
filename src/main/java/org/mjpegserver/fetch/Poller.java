package org.mjpegserver.fetch;

import java.time.Instant;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.mjpegserver.config.ImageSettings;
import org.mjpegserver.frames.ImageFeed;
import org.mjpegserver.image.FrameValidator;
import org.mjpegserver.image.InvalidImageException;

/**
 * Fetches one image again and again on the shared scheduler. Each fetch schedules the next, so there is never
 * more than one request in flight per image, however many viewers it has. The rate follows the fastest open
 * stream within the image's fetch limits; failures back off exponentially up to the image timeout.
 */
public final class Poller {

    private static final Logger LOG = Logger.getLogger(Poller.class.getName());

    private final ImageFeed feed;
    private final ImageSettings settings;
    private final Source source;
    private final FrameValidator validator;
    private final ScheduledExecutorService scheduler;
    private final FetchObserver observer;
    private final Object lock = new Object();
    // Guarded by lock.
    private ScheduledFuture<?> next;
    private boolean running;
    private boolean stopped;
    private long lastStartNanos;
    private int consecutiveFailures;

    public Poller(ImageFeed feed, ScheduledExecutorService scheduler, FetchObserver observer) {
        this.feed = feed;
        this.settings = feed.config().settings();
        this.source = Sources.open(feed.config());
        this.validator = new FrameValidator(settings);
        this.scheduler = scheduler;
        this.observer = observer;
        feed.onDemandChange(this::demandChanged);
    }

    public void start() {
        synchronized (lock) {
            next = scheduler.schedule(this::poll, 0, TimeUnit.NANOSECONDS);
        }
    }

    /** Stops polling and closes the source, which aborts a request in flight. */
    public void stop() {
        synchronized (lock) {
            stopped = true;
            if (next != null) {
                next.cancel(false);
            }
        }
        source.close();
    }

    private void poll() {
        synchronized (lock) {
            if (stopped) {
                return;
            }
            running = true;
            next = null;
            lastStartNanos = System.nanoTime();
        }
        boolean ok = false;
        try {
            ok = fetchOnce();
            synchronized (lock) {
                // Once stopped, a fetch aborted by the stop is no outcome, and an image removed stays forgotten.
                if (!stopped) {
                    observer.fetched(feed.id(), ok, System.nanoTime() - lastStartNanos);
                }
            }
        } catch (RuntimeException | Error e) {
            // A bug or an ImageIO surprise must not end this image's polling for good.
            LOG.log(Level.SEVERE, "Image '" + feed.id() + "': unexpected failure while fetching", e);
            feed.fail("internal error: " + e.getClass().getSimpleName());
        } finally {
            synchronized (lock) {
                running = false;
                consecutiveFailures = ok ? 0 : consecutiveFailures + 1;
                if (!stopped) {
                    next = scheduler.schedule(this::poll, delayNanos(), TimeUnit.NANOSECONDS);
                }
            }
        }
    }

    private boolean fetchOnce() {
        try {
            byte[] body = source.fetch();
            if (body == null) {
                // Unchanged since the last fetch: alive only if that one was good.
                if (feed.latest() == null || consecutiveFailures() > 0) {
                    feed.fail(feed.lastError() == null ? "no valid image yet" : feed.lastError());
                    return false;
                }
                feed.unchanged();
                return true;
            }
            Instant arrived = Instant.now();
            feed.publish(validator.validate(body), arrived);
            return true;
        } catch (FetchException | InvalidImageException e) {
            if (!stoppedNow()) {
                feed.fail(e.getMessage());
            }
            return false;
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

    /** Nanoseconds from now to the next fetch. Called under lock. */
    private long delayNanos() {
        long interval = intervalNanos();
        if (consecutiveFailures > 0) {
            long backoff = interval << Math.min(consecutiveFailures - 1, 20);
            return Math.min(backoff, settings.imageTimeout().toNanos());
        }
        return Math.max(0, lastStartNanos + interval - System.nanoTime());
    }

    /** 1 / clamp(fastest viewer, fetch_minimum_fps, fetch_maximum_fps); the minimum when nobody watches. */
    long intervalNanos() {
        double fps = Math.max(settings.effectiveMinimumFps(), Math.min(feed.demandFps(), settings.fetchMaximumFps()));
        return (long) (1e9 / fps);
    }

    /** A viewer joined: fetch sooner if the wait planned at a lower rate is longer than the new interval. */
    private void demandChanged() {
        synchronized (lock) {
            if (stopped || running || next == null || consecutiveFailures > 0) {
                return;
            }
            long wanted = Math.max(0, lastStartNanos + intervalNanos() - System.nanoTime());
            if (wanted < next.getDelay(TimeUnit.NANOSECONDS) && next.cancel(false)) {
                next = scheduler.schedule(this::poll, wanted, TimeUnit.NANOSECONDS);
            }
        }
    }
}

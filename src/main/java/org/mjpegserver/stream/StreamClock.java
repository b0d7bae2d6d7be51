package org.mjpegserver.stream;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * The timers of every open stream, on a fixed pool that does not grow with viewers. A tick only writes what
 * the connection can take without blocking, so two threads serve thousands of streams.
 */
public final class StreamClock implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(StreamClock.class.getName());

    /** Ticks are late by less than this: nothing a viewer at up to 60 fps can see. */
    static final long GRID_NANOS = TimeUnit.MILLISECONDS.toNanos(2);

    private final DaemonThreads threadFactory = new DaemonThreads("mjpeg-stream-clock-");
    private final ScheduledThreadPoolExecutor executor;

    public StreamClock(int threads) {
        executor = new ScheduledThreadPoolExecutor(threads, threadFactory);
        // Cancelled timers of closed streams would otherwise stay queued until their time comes.
        executor.setRemoveOnCancelPolicy(true);
    }

    /** Runs a task now on the clock's threads: the parallel part of delivering a new frame. */
    public void execute(Runnable task) {
        executor.execute(task);
    }

    /**
     * Runs {@code task} once {@code delayNanos} have passed, at the next point of a {@link #GRID_NANOS} grid: the
     * streams due in the same slot then run back to back on one wake-up of a clock thread, where thousands of
     * streams at their own phases would each cost the thread a park and an unpark.
     */
    ScheduledFuture<?> schedule(Runnable task, long delayNanos) {
        return executor.schedule(task, onGrid(System.nanoTime(), delayNanos), TimeUnit.NANOSECONDS);
    }

    /** The delay from {@code now} to the first grid point at least {@code delayNanos} away. */
    static long onGrid(long now, long delayNanos) {
        return Math.floorDiv(now + delayNanos + GRID_NANOS - 1, GRID_NANOS) * GRID_NANOS - now;
    }

    /** Stops the clock and waits for its threads to end (Tomcat's leak check runs right after an undeploy). */
    @Override
    public void close() {
        List<String> alive = threadFactory.stop(executor, Duration.ofSeconds(5));
        if (!alive.isEmpty()) {
            LOG.warning("Stream clock threads did not stop within 5 s: " + alive);
        }
    }
}

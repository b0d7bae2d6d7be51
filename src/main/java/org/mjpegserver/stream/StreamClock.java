package org.mjpegserver.stream;

import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The timers of every open stream, on a fixed pool that does not grow with viewers. A tick only writes what
 * the connection can take without blocking, so two threads serve thousands of streams.
 */
public final class StreamClock implements AutoCloseable {

    private final ScheduledThreadPoolExecutor executor;

    public StreamClock(int threads) {
        AtomicInteger count = new AtomicInteger();
        executor = new ScheduledThreadPoolExecutor(threads, task -> {
            Thread thread = new Thread(task, "mjpeg-stream-clock-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        // Cancelled timers of closed streams would otherwise stay queued until their time comes.
        executor.setRemoveOnCancelPolicy(true);
    }

    /** Runs a task now on the clock's threads: the parallel part of delivering a new frame. */
    public void execute(Runnable task) {
        executor.execute(task);
    }

    ScheduledFuture<?> schedule(Runnable task, long delay, TimeUnit unit) {
        return executor.schedule(task, delay, unit);
    }

    @Override
    public void close() {
        executor.shutdownNow();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

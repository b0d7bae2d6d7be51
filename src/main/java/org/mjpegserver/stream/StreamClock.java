package org.mjpegserver.stream;

import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The timers of every open stream, on a fixed pool that does not grow with viewers. A tick only writes what
 * the connection can take without blocking, so two threads serve thousands of streams.
 */
public final class StreamClock implements AutoCloseable {

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

    ScheduledFuture<?> schedule(Runnable task, long delay, TimeUnit unit) {
        return executor.schedule(task, delay, unit);
    }

    @Override
    public void close() {
        executor.shutdownNow();
        try {
            if (executor.awaitTermination(5, TimeUnit.SECONDS)) {
                threadFactory.join(1, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

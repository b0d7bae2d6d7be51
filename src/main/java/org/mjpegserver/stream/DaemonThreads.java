package org.mjpegserver.stream;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Makes the named daemon threads of one executor and remembers them, so that stopping can wait until each has
 * really ended: an executor reports itself terminated a moment before its threads finish exiting, and Tomcat's
 * leak check, which runs right after an undeploy, would still find them alive.
 */
public final class DaemonThreads implements ThreadFactory {

    private final String prefix;
    private final AtomicInteger count = new AtomicInteger();
    private final Set<Thread> threads = ConcurrentHashMap.newKeySet();

    public DaemonThreads(String prefix) {
        this.prefix = prefix;
    }

    @Override
    public Thread newThread(Runnable task) {
        Thread thread = new Thread(task, prefix + count.incrementAndGet());
        thread.setDaemon(true);
        threads.removeIf(t -> !t.isAlive());
        threads.add(thread);
        return thread;
    }

    /** Waits up to {@code timeout} for every thread made here to end; false if one is still alive. */
    public boolean join(long timeout, TimeUnit unit) throws InterruptedException {
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        for (Thread thread : threads) {
            TimeUnit.NANOSECONDS.timedJoin(thread, Math.max(1, deadline - System.nanoTime()));
        }
        threads.removeIf(t -> !t.isAlive());
        return threads.isEmpty();
    }
}

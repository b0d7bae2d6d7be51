package org.mjpegserver.stream;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
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
        // Forget only threads that have ended: one made a moment ago has not started yet, yet must be waited for.
        threads.removeIf(t -> t.getState() == Thread.State.TERMINATED);
        threads.add(thread);
        return thread;
    }

    /**
     * Stops {@code executor}, whose threads came from here, and waits up to {@code timeout} until each of them
     * has ended. An interrupt does not cut the wait short (a thread left running would outlive the webapp); it is
     * kept for the caller. Returns the names of threads still alive, none when all ended.
     */
    public List<String> stop(ExecutorService executor, Duration timeout) {
        executor.shutdownNow();
        long deadline = System.nanoTime() + timeout.toNanos();
        boolean interrupted = false;
        // Termination first: a worker the executor added just before the shutdown may not have started yet, and
        // only termination (every worker has run and exited) says that no thread of it is still to come.
        while (!executor.isTerminated() && deadline - System.nanoTime() > 0) {
            try {
                executor.awaitTermination(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        for (Thread thread : threads) {
            while (thread.isAlive() && deadline - System.nanoTime() > 0) {
                try {
                    TimeUnit.NANOSECONDS.timedJoin(thread, deadline - System.nanoTime());
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        threads.removeIf(t -> !t.isAlive());
        return threads.stream().map(Thread::getName).toList();
    }
}

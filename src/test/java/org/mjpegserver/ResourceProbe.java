package org.mjpegserver;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * What a leak would grow, measured in this JVM (the server runs in-process): live threads, open file
 * descriptors and heap after full GCs.
 */
final class ResourceProbe {

    /** Tomcat's request-processing pool: it grows under load and shrinks after 60 s idle, by design. */
    static final Predicate<String> TOMCAT_REQUEST_POOL = name -> name.matches("http-nio-.*-exec-\\d+");

    private ResourceProbe() {
    }

    /** One measurement of everything at once. */
    record Snapshot(int threads, int threadsOutsidePool, int openFiles, long heapAfterGcBytes) {

        static Snapshot take(Predicate<String> ignoredThreads) {
            List<String> names = threadNames();
            int outside = (int) names.stream().filter(ignoredThreads.negate()).filter(TOMCAT_REQUEST_POOL.negate()).count();
            return new Snapshot(names.size(), outside, ResourceProbe.openFiles(), ResourceProbe.heapAfterGc());
        }

        double heapMb() {
            return heapAfterGcBytes / (1024.0 * 1024.0);
        }
    }

    static List<String> threadNames() {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName).sorted().toList();
    }

    /** Thread names by how many threads bear them, with trailing numbers folded ("pool-3-thread-7" to "pool-#-thread-#"). */
    static Map<String, Integer> threadCensus() {
        Map<String, Integer> census = new TreeMap<>();
        threadNames().forEach(name -> census.merge(name.replaceAll("\\d+", "#"), 1, Integer::sum));
        return census;
    }

    /** Open file descriptors of this process (Linux); -1 where /proc is not available. */
    static int openFiles() {
        Path fds = Path.of("/proc/self/fd");
        if (!Files.isDirectory(fds)) {
            return -1;
        }
        try (Stream<Path> list = Files.list(fds)) {
            // Minus the one the listing itself holds open.
            return (int) list.count() - 1;
        } catch (IOException e) {
            return -1;
        }
    }

    /** What is open, by target ("socket", "pipe", a path), for a message when the count is off. */
    static Map<String, Integer> openFilesCensus() {
        Map<String, Integer> census = new TreeMap<>();
        try (Stream<Path> list = Files.list(Path.of("/proc/self/fd"))) {
            list.forEach(fd -> {
                String target;
                try {
                    target = Files.readSymbolicLink(fd).toString().replaceAll("\\[\\d+]", "");
                } catch (IOException e) {
                    target = "?";
                }
                census.merge(target, 1, Integer::sum);
            });
        } catch (IOException e) {
            census.put("unavailable: " + e, 1);
        }
        return census;
    }

    /** Heap in use after several full collections, which is what stays reachable. */
    static long heapAfterGc() {
        var memory = ManagementFactory.getMemoryMXBean();
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 4; i++) {
            System.gc();
            sleep(50);
            used = Math.min(used, memory.getHeapMemoryUsage().getUsed());
        }
        return used;
    }

    /** Polls {@code condition} until it holds or {@code millis} pass; the final answer either way. */
    static boolean eventually(long millis, BooleanSupplier condition) {
        long deadline = System.nanoTime() + millis * 1_000_000;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                return condition.getAsBoolean();
            }
            sleep(100);
        }
        return true;
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}

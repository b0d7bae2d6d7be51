package org.mjpegserver.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A process's CPU time by what its threads do, told apart by their names in /proc (which Linux cuts to 15
 * characters): the pollers fetch and validate, the stream clock and Tomcat's threads deliver, and the JVM's own
 * threads collect garbage and compile. Costs nothing in the server: it reads /proc from outside.
 */
final class CpuSplit {

    /** The groups, in report order; the first whose prefix a thread name starts with takes it. */
    static final List<String> GROUPS = List.of("fetch", "stream", "tomcat", "gc", "jit", "other");
    private static final Map<String, String> PREFIXES = prefixes();

    private final Map<String, Long> ticks;

    private CpuSplit(Map<String, Long> ticks) {
        this.ticks = ticks;
    }

    private static Map<String, String> prefixes() {
        Map<String, String> prefixes = new LinkedHashMap<>();
        prefixes.put("mjpeg-poller", "fetch");
        prefixes.put("mjpeg-stream-so", "fetch");
        prefixes.put("floor-fetch", "fetch");
        prefixes.put("mjpeg-stream-cl", "stream");
        prefixes.put("http-", "tomcat");
        prefixes.put("catalina-", "tomcat");
        prefixes.put("G1 ", "gc");
        prefixes.put("GC ", "gc");
        prefixes.put("VM Thread", "gc");
        prefixes.put("C1 ", "jit");
        prefixes.put("C2 ", "jit");
        return prefixes;
    }

    /** User plus system clock ticks of every live thread of {@code pid} so far, by group. */
    static CpuSplit of(long pid) {
        Map<String, Long> ticks = new LinkedHashMap<>();
        GROUPS.forEach(group -> ticks.put(group, 0L));
        try (Stream<Path> tasks = Files.list(Path.of("/proc", String.valueOf(pid), "task"))) {
            for (Path task : (Iterable<Path>) tasks::iterator) {
                String stat;
                try {
                    stat = Files.readString(task.resolve("stat"));
                } catch (NoSuchFileException e) {
                    continue; // The thread ended meanwhile.
                }
                String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                ticks.merge(group(name), Long.parseLong(fields[11]) + Long.parseLong(fields[12]), Long::sum);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new CpuSplit(ticks);
    }

    static String group(String threadName) {
        for (Map.Entry<String, String> prefix : PREFIXES.entrySet()) {
            if (threadName.startsWith(prefix.getKey())) {
                return prefix.getValue();
            }
        }
        return "other";
    }

    /**
     * Each group's share of the CPU spent since {@code before}, in percent (0 to 100 of the process's time, not of a
     * core). Threads that ended in between are missing from both, so the shares are of what the live threads used.
     */
    Map<String, Double> percentSince(CpuSplit before) {
        long total = 0;
        Map<String, Long> spent = new LinkedHashMap<>();
        for (String group : GROUPS) {
            long delta = Math.max(0, ticks.get(group) - before.ticks.get(group));
            spent.put(group, delta);
            total += delta;
        }
        Map<String, Double> percent = new LinkedHashMap<>();
        for (String group : GROUPS) {
            percent.put(group, total == 0 ? 0 : 100.0 * spent.get(group) / total);
        }
        return percent;
    }
}

package org.mjpegserver.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A server under test in a JVM of its own, so that its CPU time, resident memory, threads and heap come from its
 * own /proc entry and jcmd. It prints {@code READY <port>...} when it serves, and exits when its stdin closes,
 * which also happens when this JVM dies.
 */
final class ChildJvm implements AutoCloseable {

    private static final long CLOCK_TICK_NANOS = 1_000_000_000L / clockTicks();
    private static final Pattern HISTOGRAM_TOTAL = Pattern.compile("Total\\s+\\d+\\s+(\\d+)");

    private final String name;
    private final Process process;
    private final CompletableFuture<int[]> ready = new CompletableFuture<>();

    ChildJvm(String name, String mainClass, List<String> classpath, List<String> jvmOptions, List<String> args,
            Path log) throws IOException {
        this(name, java(mainClass, classpath, jvmOptions, args), log);
    }

    private static ProcessBuilder java(String mainClass, List<String> classpath, List<String> jvmOptions, List<String> args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(String.join(java.io.File.pathSeparator, classpath));
        command.add(mainClass);
        command.addAll(args);
        return new ProcessBuilder(command);
    }

    /** Any command that runs one JVM in its own process (such as {@code catalina.sh run}, which execs java). */
    ChildJvm(String name, ProcessBuilder command, Path log) throws IOException {
        this.name = name;
        Files.createDirectories(log.getParent());
        process = command.redirectError(ProcessBuilder.Redirect.to(log.toFile())).start();
        Thread pump = new Thread(() -> pump(log), name + "-stdout");
        pump.setDaemon(true);
        pump.start();
    }

    /** Waits for the child's READY line and returns the ports it printed. */
    int[] awaitReady(long seconds) throws Exception {
        try {
            return ready.get(seconds, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException(name + " did not start within " + seconds + " s; see its log");
        }
    }

    private void pump(Path log) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
                PrintWriter out = new PrintWriter(Files.newBufferedWriter(log.resolveSibling(log.getFileName() + ".out")), true)) {
            for (String line; (line = in.readLine()) != null; ) {
                out.println(line);
                if (line.startsWith("READY ")) {
                    String[] parts = line.substring(6).trim().split(" ");
                    int[] ports = new int[parts.length];
                    for (int i = 0; i < parts.length; i++) {
                        ports[i] = Integer.parseInt(parts[i]);
                    }
                    ready.complete(ports);
                }
            }
        } catch (IOException e) {
            // The child is gone.
        }
        ready.completeExceptionally(new IllegalStateException(name + " exited before it was ready; see its log"));
    }

    long pid() {
        return process.pid();
    }

    /** User plus system CPU time of the whole process so far. */
    long cpuNanos() throws IOException {
        String stat = Files.readString(Path.of("/proc", String.valueOf(pid()), "stat"));
        // The command name in parentheses may hold spaces; fields are counted after it, from field 3 (state).
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) * CLOCK_TICK_NANOS;
    }

    long rssKb() throws IOException {
        return status("VmRSS:");
    }

    long threads() throws IOException {
        return status("Threads:");
    }

    private long status(String key) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid()), "status"))) {
            if (line.startsWith(key)) {
                return Long.parseLong(line.substring(key.length()).trim().split("\\s+")[0]);
            }
        }
        throw new IllegalStateException(key + " missing from /proc/" + pid() + "/status");
    }

    /** Live objects after a full GC, as jcmd's class histogram counts them: the total and the biggest classes. */
    record Heap(long liveBytes, String top) {
    }

    /**
     * Runs a full GC in the child and counts what survived, in one step: with streams running, the heap refills
     * within the second between two separate jcmd calls.
     */
    Heap liveHeap(int topClasses) throws IOException, InterruptedException {
        String[] lines = jcmd("GC.class_histogram").split("\n");
        Matcher total = HISTOGRAM_TOTAL.matcher(lines[lines.length - 1]);
        if (!total.find()) {
            throw new IllegalStateException("no total in jcmd GC.class_histogram output: " + lines[lines.length - 1]);
        }
        String top = String.join("\n", Arrays.copyOfRange(lines, 0, Math.min(lines.length, topClasses + 3)));
        return new Heap(Long.parseLong(total.group(1)), top + "\n" + lines[lines.length - 1] + "\n");
    }

    String jcmd(String command) throws IOException, InterruptedException {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        Process run = new ProcessBuilder(jcmd.toString(), String.valueOf(pid()), command).redirectErrorStream(true).start();
        String output = new String(run.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!run.waitFor(60, TimeUnit.SECONDS) || run.exitValue() != 0) {
            throw new IllegalStateException("jcmd " + command + " failed: " + output);
        }
        return output;
    }

    boolean alive() {
        return process.isAlive();
    }

    /** Closes the child's stdin so it stops cleanly; kills it if it does not. */
    @Override
    public void close() {
        try {
            process.getOutputStream().close();
            if (!process.waitFor(15, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (IOException | InterruptedException e) {
            process.destroyForcibly();
        }
    }

    void kill() {
        process.destroyForcibly();
    }

    private static long clockTicks() {
        try {
            Process getconf = new ProcessBuilder("getconf", "CLK_TCK").start();
            String out = new String(getconf.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
            getconf.waitFor();
            return Long.parseLong(out);
        } catch (IOException | InterruptedException | NumberFormatException e) {
            return 100;
        }
    }
}

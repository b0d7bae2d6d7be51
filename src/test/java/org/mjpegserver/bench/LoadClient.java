package org.mjpegserver.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Many MJPEG viewers on one selector thread, so the client costs one core at most and says how much it used.
 * Each connection parses its multipart stream incrementally: part headers byte by byte, bodies skipped in place in
 * one shared read buffer, except for their first bytes, which carry the upstream's {@link Stamp}. A frame counts
 * when its last byte arrives; its freshness is measured on the first arrival of each sequence number only.
 */
final class LoadClient implements AutoCloseable {

    /** What one measuring window saw. */
    record Window(double seconds, double[] fps, long bytes, long frames, long[] freshnessNanos, long[] arrivalNanos,
            int held, int measured, long cpuNanos) {
    }

    /** Connections being set up at once: more would only overflow the server's accept backlog. */
    private static final int CONNECTING_AT_ONCE = 100;
    private static final int RESPONSE_HEAD = 0;
    private static final int PART_HEAD = 1;
    private static final int BODY = 2;

    private final Selector selector;
    private final Thread thread;
    private final ByteBuffer buffer = ByteBuffer.allocateDirect(1 << 20);
    private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private volatile boolean running = true;
    private volatile int held;
    private volatile int failed;

    // Selector thread only.
    private final List<Viewer> viewers = new ArrayList<>();
    private InetSocketAddress target;
    private byte[] request;
    private int stallEvery;
    private int toOpen;
    private int connecting;
    private boolean measuring;
    private long windowStart;
    private long cpuAtStart;
    private long[] freshness = new long[1024];
    private int freshnessCount;
    /** Freshness from the frame's arrival at the server (its X-Timestamp part header) rather than from the upstream. */
    private long[] arrival = new long[1024];
    private int arrivalCount;

    LoadClient() throws IOException {
        selector = Selector.open();
        thread = new Thread(this::run, "bench-client-selector");
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * Opens {@code count} streams of {@code path}; with {@code stallEvery} k > 0, every k-th connection stops
     * reading once the response headers are in (and is left out of the measurements).
     */
    void open(InetSocketAddress target, String path, int count, int stallEvery) {
        call(() -> {
            this.target = target;
            this.request = ("GET " + path + " HTTP/1.1\r\nHost: " + target.getHostString() + ":" + target.getPort()
                    + "\r\nUser-Agent: mjpeg-bench\r\nAccept: */*\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
            this.stallEvery = stallEvery;
            this.toOpen += count;
            return null;
        });
    }

    /** Streams whose response headers arrived and that are still open. */
    int held() {
        return held;
    }

    /** Connections that failed or closed since the last {@link #closeAll()}. */
    int failed() {
        return failed;
    }

    void startWindow() {
        call(() -> {
            for (Viewer viewer : viewers) {
                viewer.framesAtStart = viewer.frames;
                viewer.bytesAtStart = viewer.bytes;
            }
            freshnessCount = 0;
            arrivalCount = 0;
            measuring = true;
            windowStart = System.nanoTime();
            cpuAtStart = ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
            return null;
        });
    }

    Window endWindow() {
        return call(() -> {
            measuring = false;
            double seconds = (System.nanoTime() - windowStart) / 1e9;
            long cpu = ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime() - cpuAtStart;
            double[] fps = new double[viewers.size()];
            int measured = 0;
            long bytes = 0;
            long frames = 0;
            for (Viewer viewer : viewers) {
                bytes += viewer.bytes - viewer.bytesAtStart;
                if (!viewer.stalled) {
                    long count = viewer.frames - viewer.framesAtStart;
                    frames += count;
                    fps[measured++] = count / seconds;
                }
            }
            return new Window(seconds, Arrays.copyOf(fps, measured), bytes, frames,
                    Arrays.copyOf(freshness, freshnessCount), Arrays.copyOf(arrival, arrivalCount), held, measured, cpu);
        });
    }

    /** Closes every stream (the server sees a reset) and forgets them. */
    void closeAll() {
        call(() -> {
            for (Viewer viewer : viewers) {
                viewer.channel.close();
            }
            viewers.clear();
            toOpen = 0;
            connecting = 0;
            held = 0;
            failed = 0;
            selector.selectNow();
            return null;
        });
    }

    private <T> T call(Callable<T> task) {
        CompletableFuture<T> result = new CompletableFuture<>();
        tasks.add(() -> {
            try {
                result.complete(task.call());
            } catch (Exception e) {
                result.completeExceptionally(e);
            }
        });
        selector.wakeup();
        try {
            return result.get(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("load client task failed", e);
        }
    }

    private void run() {
        try {
            while (running) {
                for (Runnable task; (task = tasks.poll()) != null; ) {
                    task.run();
                }
                openMore();
                selector.select(10);
                for (SelectionKey key : selector.selectedKeys()) {
                    Viewer viewer = (Viewer) key.attachment();
                    try {
                        if (key.isConnectable()) {
                            connected(viewer);
                        } else if (key.isReadable()) {
                            read(viewer);
                        }
                    } catch (IOException | RuntimeException e) {
                        lost(viewer);
                    }
                }
                selector.selectedKeys().clear();
            }
        } catch (IOException e) {
            throw new IllegalStateException("selector failed", e);
        }
    }

    private void openMore() throws IOException {
        while (toOpen > 0 && connecting < CONNECTING_AT_ONCE) {
            toOpen--;
            connecting++;
            SocketChannel channel = SocketChannel.open();
            channel.configureBlocking(false);
            Viewer viewer = new Viewer(channel, stallEvery > 0 && viewers.size() % stallEvery == stallEvery - 1);
            viewers.add(viewer);
            try {
                viewer.key = channel.register(selector, SelectionKey.OP_CONNECT, viewer);
                if (channel.connect(target)) {
                    connected(viewer);
                }
            } catch (IOException e) {
                lost(viewer);
            }
        }
    }

    private void connected(Viewer viewer) throws IOException {
        viewer.channel.finishConnect();
        // A few dozen bytes: always taken whole by a fresh socket.
        viewer.channel.write(ByteBuffer.wrap(request));
        viewer.key.interestOps(SelectionKey.OP_READ);
    }

    private void lost(Viewer viewer) {
        if (viewer.closed) {
            return;
        }
        viewer.closed = true;
        failed++;
        if (viewer.headersDone) {
            held--;
        } else {
            connecting--;
        }
        try {
            viewer.channel.close();
        } catch (IOException e) {
            // Closing anyway.
        }
    }

    private void read(Viewer viewer) throws IOException {
        buffer.clear();
        int n = viewer.channel.read(buffer);
        if (n < 0) {
            lost(viewer);
            return;
        }
        long now = Stamp.now();
        viewer.bytes += n;
        buffer.flip();
        while (buffer.hasRemaining() && !viewer.closed) {
            if (viewer.phase == BODY) {
                body(viewer, now);
            } else {
                int b = buffer.get();
                if (b == '\n') {
                    line(viewer);
                } else if (b != '\r' && viewer.lineLength < viewer.line.length) {
                    viewer.line[viewer.lineLength++] = (byte) b;
                }
            }
        }
    }

    /** Skips body bytes where they lie, keeping only the first few, which hold the stamp. */
    private void body(Viewer viewer, long now) {
        int n = (int) Math.min(buffer.remaining(), viewer.bodyLeft);
        int keep = Math.min(n, Stamp.HEAD_LENGTH - viewer.headLength);
        if (keep > 0) {
            buffer.get(viewer.head, viewer.headLength, keep);
            viewer.headLength += keep;
            n -= keep;
        }
        buffer.position(buffer.position() + n);
        viewer.bodyLeft -= n + keep;
        if (viewer.bodyLeft == 0) {
            viewer.frames++;
            long sequence = Stamp.sequence(viewer.head, viewer.headLength);
            if (sequence > viewer.lastSequence) {
                viewer.lastSequence = sequence;
                long served = Stamp.servedNanos(viewer.head, viewer.headLength);
                if (measuring && served > 0 && !viewer.stalled) {
                    if (freshnessCount == freshness.length) {
                        freshness = Arrays.copyOf(freshness, freshness.length * 2);
                    }
                    freshness[freshnessCount++] = now - served;
                }
                if (measuring && viewer.arrivedNanos > 0 && !viewer.stalled) {
                    if (arrivalCount == arrival.length) {
                        arrival = Arrays.copyOf(arrival, arrival.length * 2);
                    }
                    arrival[arrivalCount++] = now - viewer.arrivedNanos;
                }
            }
            viewer.phase = PART_HEAD;
            viewer.contentLength = -1;
        }
    }

    private void line(Viewer viewer) throws IOException {
        String text = new String(viewer.line, 0, viewer.lineLength, StandardCharsets.US_ASCII);
        viewer.lineLength = 0;
        if (viewer.phase == RESPONSE_HEAD) {
            if (viewer.status == 0) {
                viewer.status = text.startsWith("HTTP/1.1 200") || text.startsWith("HTTP/1.0 200") ? 200 : -1;
                if (viewer.status != 200) {
                    System.err.println("viewer got: " + text);
                    lost(viewer);
                }
            } else if (text.regionMatches(true, 0, "Transfer-Encoding:", 0, 18)) {
                // The parts are counted by Content-Length on the raw stream; chunk framing would break that.
                System.err.println("viewer got an unsupported " + text);
                lost(viewer);
            } else if (text.isEmpty()) {
                viewer.phase = PART_HEAD;
                viewer.headersDone = true;
                connecting--;
                held++;
                if (viewer.stalled) {
                    viewer.key.interestOps(0);
                }
            }
        } else if (text.isEmpty()) {
            // The blank line after part headers starts the body; one before a boundary is just the part's end.
            if (viewer.contentLength >= 0) {
                viewer.phase = BODY;
                viewer.bodyLeft = viewer.contentLength;
                viewer.headLength = 0;
            }
        } else if (text.regionMatches(true, 0, "Content-Length:", 0, 15)) {
            viewer.contentLength = Long.parseLong(text.substring(15).trim());
        } else if (text.regionMatches(true, 0, "X-Timestamp:", 0, 12)) {
            // Seconds since the epoch with microseconds: when the frame's bytes arrived at the server.
            String[] parts = text.substring(12).trim().split("\\.");
            viewer.arrivedNanos = Long.parseLong(parts[0]) * 1_000_000_000L
                    + (parts.length > 1 ? Long.parseLong((parts[1] + "000000").substring(0, 6)) * 1000 : 0);
        }
    }

    @Override
    public void close() {
        closeAll();
        running = false;
        selector.wakeup();
        try {
            thread.join(5000);
            selector.close();
        } catch (InterruptedException | IOException e) {
            // Shutting down.
        }
    }

    private static final class Viewer {
        long arrivedNanos;
        final SocketChannel channel;
        final boolean stalled;
        SelectionKey key;
        int phase = RESPONSE_HEAD;
        int status;
        boolean headersDone;
        boolean closed;
        final byte[] line = new byte[512];
        int lineLength;
        long contentLength = -1;
        long bodyLeft;
        final byte[] head = new byte[Stamp.HEAD_LENGTH];
        int headLength;
        long lastSequence = -1;
        long frames;
        long bytes;
        long framesAtStart;
        long bytesAtStart;

        Viewer(SocketChannel channel, boolean stalled) {
            this.channel = channel;
            this.stalled = stalled;
        }
    }
}

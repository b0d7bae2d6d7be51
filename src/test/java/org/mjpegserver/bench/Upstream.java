package org.mjpegserver.bench;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The camera: a loopback HTTP server whose every response is the next picture of the pool, stamped with a new
 * sequence number and the time it is served. It can also stand in for many cameras, each at a URL of its own
 * ({@code /cam-N/snapshot.jpg}) and all served by a few threads, whose cost is the benchmark's, not the server's.
 */
final class Upstream implements AutoCloseable {

    static final String PATH = "/snapshot.jpg";

    private final List<byte[]> pool;
    private final HttpServer server;
    private final ExecutorService executor;
    private final AtomicLong sequence = new AtomicLong();

    /** One camera at {@link #url()}. */
    Upstream(List<byte[]> pool) throws IOException {
        this(pool, 0, 1);
    }

    /** Also {@code cameras} more, at {@link #url(int)}, served by {@code threads} threads. */
    Upstream(List<byte[]> pool, int cameras, int threads) throws IOException {
        this.pool = pool;
        AtomicInteger count = new AtomicInteger();
        executor = Executors.newFixedThreadPool(threads, task -> {
            Thread thread = new Thread(task, "bench-upstream-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50 + cameras);
        server.createContext(PATH, this::serve);
        for (int i = 0; i < cameras; i++) {
            server.createContext(cameraPath(i), this::serve);
        }
        server.setExecutor(executor);
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + PATH;
    }

    String url(int camera) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + cameraPath(camera);
    }

    private static String cameraPath(int camera) {
        return "/cam-" + camera + PATH;
    }

    long served() {
        return sequence.get();
    }

    private void serve(HttpExchange exchange) throws IOException {
        try (exchange) {
            long seq = sequence.incrementAndGet();
            byte[] body = Stamp.write(pool.get((int) (seq % pool.size())), seq, Stamp.now());
            exchange.getResponseHeaders().set("Content-Type", "image/jpeg");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}

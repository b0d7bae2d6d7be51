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
import java.util.concurrent.atomic.AtomicLong;

/**
 * The camera: a loopback HTTP server whose every response is the next picture of the pool, stamped with a new
 * sequence number and the time it is served.
 */
final class Upstream implements AutoCloseable {

    static final String PATH = "/snapshot.jpg";

    private final List<byte[]> pool;
    private final HttpServer server;
    private final ExecutorService executor = Executors.newSingleThreadExecutor(task -> {
        Thread thread = new Thread(task, "bench-upstream");
        thread.setDaemon(true);
        return thread;
    });
    private final AtomicLong sequence = new AtomicLong();

    Upstream(List<byte[]> pool) throws IOException {
        this.pool = pool;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        server.createContext(PATH, this::serve);
        server.setExecutor(executor);
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + PATH;
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

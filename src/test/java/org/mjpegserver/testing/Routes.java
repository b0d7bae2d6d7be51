package org.mjpegserver.testing;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/** Ready-made {@link Route}s covering the ways real cameras behave and misbehave. */
public final class Routes {

    private Routes() {
    }

    public static Route image(Supplier<byte[]> body, String contentType) {
        return exchange -> send(exchange, 200, contentType, body.get());
    }

    public static Route jpeg(byte[] jpeg) {
        return image(() -> jpeg, "image/jpeg");
    }

    /** Each request gets the next image of the pool, wrapping around. */
    public static Route sequence(List<byte[]> jpegs) {
        if (jpegs.isEmpty()) {
            throw new IllegalArgumentException("sequence needs at least one image");
        }
        List<byte[]> pool = List.copyOf(jpegs);
        AtomicInteger next = new AtomicInteger();
        return image(() -> pool.get(Math.floorMod(next.getAndIncrement(), pool.size())), "image/jpeg");
    }

    public static Route status(int code) {
        return exchange -> {
            drain(exchange);
            exchange.sendResponseHeaders(code, -1);
        };
    }

    /** A camera login page answered with 200: the status alone does not tell it is no image. */
    public static Route html200() {
        byte[] page = "<!DOCTYPE html><html><body><form>Login</form></body></html>".getBytes(StandardCharsets.UTF_8);
        return exchange -> send(exchange, 200, "text/html; charset=utf-8", page);
    }

    /** Random bytes labelled image/jpeg; the first byte is fixed so it can never pass as SOI. */
    public static Route garbage() {
        return exchange -> {
            byte[] noise = new byte[4096];
            ThreadLocalRandom.current().nextBytes(noise);
            noise[0] = 'G';
            send(exchange, 200, "image/jpeg", noise);
        };
    }

    public static Route slow(Duration delay, Route then) {
        return exchange -> {
            sleep(delay.toMillis());
            then.handle(exchange);
        };
    }

    /** Reads the request and never answers; the thread is released when the camera closes. */
    public static Route hang() {
        return exchange -> {
            drain(exchange);
            sleep(Long.MAX_VALUE);
        };
    }

    /** Promises a large JPEG, then delivers it one byte per second. */
    public static Route trickle() {
        byte[] jpeg = TestImages.jpeg(640, 480, "trickle");
        return exchange -> {
            drain(exchange);
            exchange.getResponseHeaders().set("Content-Type", "image/jpeg");
            exchange.sendResponseHeaders(200, 10_000_000);
            OutputStream out = exchange.getResponseBody();
            for (int i = 0; ; i++) {
                out.write(jpeg[i % jpeg.length]);
                out.flush();
                sleep(1000);
            }
        };
    }

    public static Huge huge(long bytes) {
        return new Huge(bytes);
    }

    /** 302 to the same path forever; a changing query defeats clients that only spot exact-URL cycles. */
    public static Route redirectLoop() {
        AtomicLong hop = new AtomicLong();
        return exchange -> redirect(exchange, exchange.getRequestURI().getPath() + "?hop=" + hop.incrementAndGet());
    }

    public static Route redirect(String location) {
        return exchange -> redirect(exchange, location);
    }

    public static Route basic(String user, String pass, Route inner) {
        String expected = "Basic " + Base64.getEncoder()
                .encodeToString((user + ":" + pass).getBytes(StandardCharsets.UTF_8));
        return exchange -> {
            if (expected.equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
                inner.handle(exchange);
            } else {
                challenge(exchange, "Basic realm=\"camera\"");
            }
        };
    }

    public static Route bearer(String token, Route inner) {
        String expected = "Bearer " + token;
        return exchange -> {
            if (expected.equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
                inner.handle(exchange);
            } else {
                challenge(exchange, "Bearer realm=\"camera\"");
            }
        };
    }

    /** RFC 7616 Digest, MD5 with qop="auth", realm "camera". */
    public static Route digest(String user, String pass, Route inner) {
        return new DigestAuth(user, pass, inner);
    }

    /** Serves {@code inner} for {@code up}, then 503 for {@code down}, repeating from now on. */
    public static Route flapping(Duration up, Duration down, Route inner) {
        long start = System.nanoTime();
        long upNanos = up.toNanos();
        long period = upNanos + down.toNanos();
        Route unavailable = status(503);
        return exchange -> {
            boolean isUp = (System.nanoTime() - start) % period < upNanos;
            (isUp ? inner : unavailable).handle(exchange);
        };
    }

    /** Streams generated bytes under a Content-Length and counts how many actually left. */
    public static final class Huge implements Route {
        private final long size;
        private final AtomicLong written = new AtomicLong();

        private Huge(long size) {
            this.size = size;
        }

        /** Bytes handed to the socket so far, over all requests. */
        public long bytesWritten() {
            return written.get();
        }

        @Override
        public void handle(HttpExchange exchange) throws IOException {
            drain(exchange);
            exchange.getResponseHeaders().set("Content-Type", "image/jpeg");
            exchange.sendResponseHeaders(200, size);
            byte[] chunk = new byte[64 * 1024];
            chunk[0] = (byte) 0xFF;
            chunk[1] = (byte) 0xD8;
            OutputStream out = exchange.getResponseBody();
            try {
                for (long left = size; left > 0; ) {
                    int n = (int) Math.min(chunk.length, left);
                    out.write(chunk, 0, n);
                    written.addAndGet(n);
                    left -= n;
                    chunk[0] = chunk[1] = 0; // only the first chunk starts like a JPEG
                }
            } catch (IOException e) {
                // The client stopped reading and hung up: that is the expected end.
            }
        }
    }

    static void send(HttpExchange exchange, int code, String contentType, byte[] body) throws IOException {
        drain(exchange);
        exchange.getResponseHeaders().set("Content-Type", contentType);
        // sendResponseHeaders: -1 means no body at all, 0 would mean chunked.
        exchange.sendResponseHeaders(code, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            exchange.getResponseBody().write(body);
        }
    }

    static void challenge(HttpExchange exchange, String wwwAuthenticate) throws IOException {
        drain(exchange);
        exchange.getResponseHeaders().set("WWW-Authenticate", wwwAuthenticate);
        exchange.sendResponseHeaders(401, -1);
    }

    private static void redirect(HttpExchange exchange, String location) throws IOException {
        drain(exchange);
        exchange.getResponseHeaders().set("Location", location);
        exchange.sendResponseHeaders(302, -1);
    }

    /** Reading the request body first keeps keep-alive connections usable for the next request. */
    private static void drain(HttpExchange exchange) throws IOException {
        exchange.getRequestBody().readAllBytes();
    }

    private static void sleep(long millis) throws InterruptedIOException {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("camera closing");
        }
    }
}

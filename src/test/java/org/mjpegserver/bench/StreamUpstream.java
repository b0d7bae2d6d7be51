package org.mjpegserver.bench;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The camera that streams: a loopback MJPEG stream (multipart/x-mixed-replace, Content-Length in every part, as
 * mjpg-streamer and Axis send it) of the picture pool at a fixed rate, each frame stamped with a new sequence
 * number and the time it is sent, so that the load client measures freshness as with {@link Upstream}.
 */
final class StreamUpstream implements AutoCloseable {

    private static final byte[] HEAD = ("HTTP/1.0 200 OK\r\nConnection: close\r\nCache-Control: no-cache\r\n"
            + "Content-Type: multipart/x-mixed-replace; boundary=frame\r\n\r\n").getBytes(StandardCharsets.US_ASCII);

    private final List<byte[]> pool;
    private final long periodNanos;
    private final ServerSocket server;
    private final ExecutorService threads = Executors.newCachedThreadPool(task -> {
        Thread thread = new Thread(task, "bench-stream-upstream");
        thread.setDaemon(true);
        return thread;
    });
    private final AtomicLong sequence = new AtomicLong();

    StreamUpstream(List<byte[]> pool, double fps) throws IOException {
        this.pool = pool;
        this.periodNanos = (long) (1e9 / fps);
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        threads.execute(this::accept);
    }

    String url() {
        return "http://127.0.0.1:" + server.getLocalPort() + "/stream.mjpg";
    }

    /** Frames sent so far, over all connections. */
    long sent() {
        return sequence.get();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                threads.execute(() -> stream(socket));
            } catch (IOException e) {
                // closed
            }
        }
    }

    private void stream(Socket socket) {
        try (socket) {
            socket.getInputStream().read(new byte[4096]); // the request; its content does not matter
            OutputStream out = socket.getOutputStream();
            out.write(HEAD);
            long due = System.nanoTime();
            while (true) {
                long seq = sequence.incrementAndGet();
                byte[] body = Stamp.write(pool.get((int) (seq % pool.size())), seq, Stamp.now());
                out.write(("--frame\r\nContent-Type: image/jpeg\r\nContent-Length: " + body.length + "\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                out.write(body);
                out.write('\r');
                out.write('\n');
                out.flush();
                // A camera that could not send in time sends its next picture, not a burst of the ones it missed.
                due = Math.max(due + periodNanos, System.nanoTime());
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                }
            }
        } catch (IOException e) {
            // The server closed the stream.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        threads.shutdownNow();
    }
}

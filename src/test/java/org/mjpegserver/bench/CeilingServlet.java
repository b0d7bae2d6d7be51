package org.mjpegserver.bench;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The servlet container's own ceiling, for {@link Benchmark}: the least an async servlet can do to stream the same
 * parts (the server's {@code Frame.part()} of the same pictures) through the same Tomcat connector, with the same
 * calls as the server (one {@code write} of the whole part, then a {@code flush}, each only while
 * {@code isReady()}), but no fetching, no clock, no feed and no bookkeeping, and as fast as each connection takes
 * it. Whatever the server loses against this is the server's; what this loses against {@link TrivialSender} is the
 * container's.
 * <p>
 * It runs in the server's JVM beside the WAR, which keeps the server's classes to itself: the parts come as files
 * ({@code preamble.bin}, and the parts in {@code parts/}) that {@link Benchmark} wrote with those classes.
 */
final class CeilingServlet extends HttpServlet {

    private final byte[] preamble;
    private final byte[][] parts;

    CeilingServlet(Path folder) throws IOException {
        preamble = Files.readAllBytes(folder.resolve("preamble.bin"));
        parts = FramePool.load(folder.resolve("parts")).toArray(byte[][]::new);
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        response.setContentType("multipart/x-mixed-replace; boundary=frame");
        response.setHeader("Connection", "close");
        AsyncContext async = request.startAsync();
        async.setTimeout(0);
        ServletOutputStream out = response.getOutputStream();
        out.setWriteListener(new WriteListener() {
            private boolean started;
            private boolean flushOwed;

            @Override
            public void onWritePossible() throws IOException {
                if (!started) {
                    started = true;
                    out.write(preamble);
                    flushOwed = true;
                }
                while (out.isReady()) {
                    if (flushOwed) {
                        flushOwed = false;
                        out.flush();
                    } else {
                        out.write(parts[FramePool.current(parts.length)]);
                        flushOwed = true;
                    }
                }
            }

            @Override
            public void onError(Throwable t) {
                async.complete();
            }
        });
    }
}

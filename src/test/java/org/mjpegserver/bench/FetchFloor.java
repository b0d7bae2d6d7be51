package org.mjpegserver.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.CloseableHttpResponse;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;

/**
 * The floor of a polled camera's cost: the least a Java program does for the same fetches as the server, with the
 * same HttpClient. Every camera URL is asked at the given rate on a shared scheduler, with a kept-alive connection
 * of its own, and each body is read into an array of its length and dropped: no validation, no frame, no viewer.
 * Its own process for {@link ManyCameras}, which measures its CPU like the server's. Arguments: the client
 * ({@code httpclient}, or {@code socket}: the least any Java program can do, a kept-alive socket of its own per camera
 * that writes a GET and reads the headers and the body of the declared length, no HTTP library at all), the rate per
 * camera, then the URLs. Prints {@code READY 0}; stops when stdin closes.
 */
public final class FetchFloor {

    private FetchFloor() {
    }

    public static void main(String[] args) throws Exception {
        boolean socket = args[0].equals("socket");
        double fps = Double.parseDouble(args[1]);
        long interval = (long) (1e9 / fps);
        int cameras = args.length - 2;
        AtomicInteger names = new AtomicInteger();
        ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(Math.min(32, cameras), task -> {
            Thread thread = new Thread(task, "floor-fetch-" + names.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        List<CloseableHttpClient> clients = new ArrayList<>();
        for (int i = 0; i < cameras; i++) {
            String url = args[i + 2];
            long delay = i * interval / cameras;
            if (socket) {
                SocketFetch fetch = new SocketFetch(URI.create(url));
                scheduler.scheduleAtFixedRate(fetch::fetch, delay, interval, TimeUnit.NANOSECONDS);
                continue;
            }
            CloseableHttpClient client = HttpClients.custom()
                    .setConnectionManager(PoolingHttpClientConnectionManagerBuilder.create().setMaxConnPerRoute(2).build())
                    .disableAutomaticRetries()
                    .build();
            clients.add(client);
            scheduler.scheduleAtFixedRate(() -> fetch(client, url), delay, interval, TimeUnit.NANOSECONDS);
        }
        System.out.println("READY 0");
        while (System.in.read() != -1) {
            // Until the parent closes stdin (or dies).
        }
        scheduler.shutdownNow();
        for (CloseableHttpClient client : clients) {
            client.close();
        }
        System.exit(0);
    }

    private static void fetch(CloseableHttpClient client, String url) {
        try (CloseableHttpResponse response = client.execute(new HttpGet(url)); InputStream in = response.getEntity().getContent()) {
            byte[] body = in.readNBytes((int) response.getEntity().getContentLength());
            if (body.length == 0) {
                throw new IllegalStateException("empty body from " + url);
            }
        } catch (Exception e) {
            System.err.println("fetch failed: " + e);
        }
    }

    /** HTTP/1.1 by hand over one kept-alive socket: only for a floor, it knows nothing but Content-Length. */
    private static final class SocketFetch {

        private final URI url;
        private final byte[] request;
        private final byte[] headers = new byte[8192];
        private Socket socket;
        private InputStream in;

        SocketFetch(URI url) {
            this.url = url;
            this.request = ("GET " + url.getRawPath() + " HTTP/1.1\r\nHost: " + url.getHost() + ":" + url.getPort()
                    + "\r\nAccept: image/jpeg\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        }

        void fetch() {
            try {
                if (socket == null) {
                    socket = new Socket(url.getHost(), url.getPort());
                    // Headers come from the buffer; the body, once the buffer is drained, straight from the socket.
                    in = new java.io.BufferedInputStream(socket.getInputStream(), 8192);
                }
                OutputStream out = socket.getOutputStream();
                out.write(request);
                int length = readHeaders();
                byte[] body = in.readNBytes(length);
                if (body.length != length || length == 0) {
                    throw new IOException("short body from " + url);
                }
            } catch (IOException e) {
                System.err.println("fetch failed: " + e);
                close();
            }
        }

        /** Reads the status line and headers (from the buffer, ~100 bytes), returns Content-Length. */
        private int readHeaders() throws IOException {
            int n = 0;
            while (n < 4 || headers[n - 1] != '\n' || headers[n - 3] != '\n') {
                int b = in.read();
                if (b < 0 || n == headers.length) {
                    throw new IOException("bad headers from " + url);
                }
                headers[n++] = (byte) b;
            }
            String text = new String(headers, 0, n, StandardCharsets.US_ASCII).toLowerCase(java.util.Locale.ROOT);
            int at = text.indexOf("content-length:");
            if (at < 0) {
                throw new IOException("no Content-Length from " + url);
            }
            return Integer.parseInt(text.substring(at + 15, text.indexOf('\r', at)).trim());
        }

        private void close() {
            try {
                if (socket != null) {
                    socket.close();
                }
            } catch (IOException e) {
                // Gone either way.
            }
            socket = null;
        }
    }
}

package org.mjpegserver.bench;

import java.io.InputStream;
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
 * Its own process for {@link ManyCameras}, which measures its CPU like the server's. Arguments: the rate per camera,
 * then the URLs. Prints {@code READY 0}; stops when stdin closes.
 */
public final class FetchFloor {

    private FetchFloor() {
    }

    public static void main(String[] args) throws Exception {
        double fps = Double.parseDouble(args[0]);
        long interval = (long) (1e9 / fps);
        AtomicInteger names = new AtomicInteger();
        ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(Math.min(32, args.length), task -> {
            Thread thread = new Thread(task, "floor-fetch-" + names.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        List<CloseableHttpClient> clients = new ArrayList<>();
        for (int i = 1; i < args.length; i++) {
            String url = args[i];
            CloseableHttpClient client = HttpClients.custom()
                    .setConnectionManager(PoolingHttpClientConnectionManagerBuilder.create().setMaxConnPerRoute(2).build())
                    .disableAutomaticRetries()
                    .build();
            clients.add(client);
            scheduler.scheduleAtFixedRate(() -> fetch(client, url), i * interval / args.length, interval, TimeUnit.NANOSECONDS);
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
}

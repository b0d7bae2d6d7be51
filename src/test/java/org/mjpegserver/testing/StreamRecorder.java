package org.mjpegserver.testing;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * Reads an MJPEG stream on a thread of its own for as long as it lasts, recording every part with its arrival
 * time and how the stream ended, so that a test can act meanwhile and judge the whole recording afterwards.
 */
public final class StreamRecorder implements AutoCloseable {

    private static final HttpClient CLIENT = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    /** One part; {@code nanos} is System.nanoTime() on arrival, {@code comment} the JPEG's COM text or null. */
    public record Part(long nanos, byte[] jpeg, String comment) {
    }

    private final String url;
    private final InputStream body;
    private final List<Part> parts = new CopyOnWriteArrayList<>();
    private final Thread thread;
    private final long openedNanos = System.nanoTime();
    private volatile boolean closing;
    private volatile long endedNanos;
    private volatile boolean endedByServer;
    private volatile Throwable failure;

    private StreamRecorder(String url, InputStream body) {
        this.url = url;
        this.body = body;
        this.thread = new Thread(this::read, "stream-recorder");
        thread.setDaemon(true);
        thread.start();
    }

    /** Opens the stream (with optional request headers as name, value pairs), insisting on 200 and the MJPEG type. */
    public static StreamRecorder start(String url, String... headers) throws IOException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).GET();
        for (int i = 0; i + 1 < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        HttpResponse<InputStream> response;
        try {
            response = CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        String type = response.headers().firstValue("Content-Type").orElse("");
        if (response.statusCode() != 200 || !type.toLowerCase(Locale.ROOT).startsWith("multipart/x-mixed-replace")) {
            String text = new String(response.body().readAllBytes());
            throw new MjpegFormatException("expected an MJPEG stream from " + url + ", got " + response.statusCode()
                    + " " + type + ": " + text);
        }
        return new StreamRecorder(url, response.body());
    }

    private void read() {
        try (MjpegReader reader = MjpegReader.of(body, "frame")) {
            MjpegReader.Part part;
            while ((part = reader.next()) != null) {
                parts.add(new Part(part.receivedNanos(), part.jpeg(), TestImages.comment(part.jpeg())));
            }
        } catch (IOException | RuntimeException e) {
            if (!closing) {
                failure = e;
            }
        } finally {
            endedByServer = !closing;
            endedNanos = System.nanoTime();
        }
    }

    public List<Part> parts() {
        return List.copyOf(parts);
    }

    public long openedNanos() {
        return openedNanos;
    }

    /** True once the stream is over, for whatever reason other than {@link #close()}. */
    public boolean ended() {
        return endedNanos != 0 && endedByServer;
    }

    /** When the stream ended (System.nanoTime()), or 0 while it runs. */
    public long endedNanos() {
        return endedNanos;
    }

    /** What broke the stream, when it did not end cleanly; null otherwise. */
    public Throwable failure() {
        return failure;
    }

    /** Waits until the server ends the stream. */
    public void awaitEnd(Duration within) {
        Await.until(within, () -> endedNanos != 0, () -> "stream " + url + " still open after " + parts.size() + " parts");
    }

    /** Waits for a part that arrived at or after {@code fromNanos} and matches; returns it. */
    public Part awaitPart(long fromNanos, Predicate<Part> wanted, Duration within, String what) {
        Part[] found = new Part[1];
        Await.until(within, () -> {
            for (Part part : parts) {
                if (part.nanos() - fromNanos >= 0 && wanted.test(part)) {
                    found[0] = part;
                    return true;
                }
            }
            if (endedNanos != 0) {
                throw new AssertionError("stream " + url + " ended while waiting for " + what, failure);
            }
            return false;
        }, () -> "no part " + what + " on " + url + " (" + parts.size() + " parts so far)");
        return found[0];
    }

    /** Longest time between two consecutive parts, or from opening to the first part. */
    public long maxGapNanos() {
        long previous = openedNanos;
        long max = 0;
        for (Part part : parts) {
            max = Math.max(max, part.nanos() - previous);
            previous = part.nanos();
        }
        return max;
    }

    /** Leaves the stream, as a viewer closing the page does. */
    @Override
    public void close() {
        closing = true;
        try {
            body.close();
        } catch (IOException e) {
            // Nothing to do: the connection is being dropped anyway.
        }
        try {
            thread.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

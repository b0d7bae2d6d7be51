package org.mjpegserver.fetch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.UncheckedIOException;
import java.io.IOException;
import java.net.URL;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Predicate;
import org.mjpegserver.testing.Http;

/** What the fetch tests observe of a deployment: the GET /images summary and GET /images/{id} snapshots. */
final class ImagesApi {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String base;

    ImagesApi(URL base) {
        this.base = base.toString().endsWith("/") ? base.toString() : base + "/";
    }

    /** The raw GET /images body, for searching it as text. */
    String listText() {
        HttpResponse<String> response = Http.getText(base + "images");
        assertEquals(200, response.statusCode(), response.body());
        return response.body();
    }

    JsonNode list() {
        try {
            return JSON.readTree(listText());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    JsonNode image(String id) {
        JsonNode image = list().get(id);
        if (image == null) {
            fail("no image '" + id + "' in GET /images");
        }
        return image;
    }

    HttpResponse<byte[]> snapshot(String id) {
        return Http.get(base + "images/" + id);
    }

    String streamUrl(String id, int frameRate) {
        return base + "images/" + id + "/stream?frame_rate=" + frameRate;
    }

    /** Polls GET /images until {@code condition} holds for the image; fails with the last summary seen. */
    JsonNode await(String id, Duration timeout, String what, Predicate<JsonNode> condition) {
        Instant deadline = Instant.now().plus(timeout);
        JsonNode image = image(id);
        while (!condition.test(image)) {
            if (Instant.now().isAfter(deadline)) {
                fail("image '" + id + "' did not reach '" + what + "' within " + timeout.toSeconds() + " s; last: " + image);
            }
            pause(100);
            image = image(id);
        }
        return image;
    }

    /** Polls GET /images/{id} until it answers 200 with a body that {@code condition} accepts. */
    byte[] awaitSnapshot(String id, Duration timeout, String what, Predicate<byte[]> condition) {
        Instant deadline = Instant.now().plus(timeout);
        while (true) {
            HttpResponse<byte[]> response = snapshot(id);
            if (response.statusCode() == 200 && condition.test(response.body())) {
                return response.body();
            }
            if (Instant.now().isAfter(deadline)) {
                fail("snapshot of '" + id + "' did not become '" + what + "' within " + timeout.toSeconds()
                        + " s; last status " + response.statusCode() + ", " + response.body().length + " bytes; summary: " + image(id));
            }
            pause(100);
        }
    }

    static String lastError(JsonNode image) {
        JsonNode error = image.get("last_error");
        return error == null || error.isNull() ? null : error.asText();
    }

    static long fetchesOk(JsonNode image) {
        return image.get("fetches_ok").asLong();
    }

    static long fetchesFailed(JsonNode image) {
        return image.get("fetches_failed").asLong();
    }

    static String state(JsonNode image) {
        return image.get("state").asText();
    }

    /** Requests that arrived in [from, from + window). */
    static long countBetween(List<Instant> times, Instant from, Duration window) {
        Instant to = from.plus(window);
        return times.stream().filter(t -> !t.isBefore(from) && t.isBefore(to)).count();
    }

    static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}

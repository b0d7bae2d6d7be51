package org.mjpegserver.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URL;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;

/** The deployed server as a client sees it, optionally presenting an access token as {@code ?token=}. */
public final class ServerApi {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String base;
    private final String token;

    public ServerApi(URL base) {
        this(base, null);
    }

    public ServerApi(URL base, String token) {
        this.base = base.toString().endsWith("/") ? base.toString() : base + "/";
        this.token = token;
    }

    /** {@code path} (without a leading slash) under the webapp, with the token when there is one. */
    public String url(String path) {
        if (token == null) {
            return base + path;
        }
        return base + path + (path.contains("?") ? "&" : "?") + "token=" + URLEncoder.encode(token, StandardCharsets.UTF_8);
    }

    public HttpResponse<String> getText(String path) {
        return Http.getText(url(path));
    }

    public HttpResponse<byte[]> get(String path) {
        return Http.get(url(path));
    }

    /** GET /images, parsed; fails unless it answers 200. */
    public JsonNode images() {
        HttpResponse<String> response = getText("images");
        assertEquals(200, response.statusCode(), response.body());
        try {
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Set<String> ids() {
        Set<String> ids = new TreeSet<>();
        images().fieldNames().forEachRemaining(ids::add);
        return ids;
    }

    /** The image's entry in GET /images; fails when there is none. */
    public JsonNode image(String id) {
        JsonNode image = images().get(id);
        if (image == null) {
            fail("no image '" + id + "' in GET /images");
        }
        return image;
    }

    /** One sample of GET /metrics by name and labels, e.g. {@code mjpeg_open_streams{image="a"}}; fails when absent. */
    public double metric(String sample) {
        HttpResponse<String> response = getText("metrics");
        assertEquals(200, response.statusCode(), response.body());
        for (String line : response.body().split("\n")) {
            if (line.startsWith(sample + " ")) {
                return Double.parseDouble(line.substring(sample.length() + 1).trim());
            }
        }
        return fail("no sample " + sample + " in GET /metrics:\n" + response.body());
    }

    /** Polls GET /images until the image's entry satisfies {@code wanted}; fails with the last entry seen. */
    public JsonNode awaitImage(String id, Predicate<JsonNode> wanted, Duration within, String what) {
        JsonNode[] last = new JsonNode[1];
        Await.until(within, () -> {
            last[0] = images().get(id);
            return last[0] != null && wanted.test(last[0]);
        }, () -> "image '" + id + "' " + what + "; last seen: " + last[0]);
        return last[0];
    }
}

package org.mjpegserver.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URL;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import javax.imageio.ImageIO;
import org.mjpegserver.testing.Http;
import org.mjpegserver.testing.TestImages;

/** Polling and inspection helpers shared by the stream container tests. */
final class StreamChecks {

    private static final ObjectMapper JSON = new ObjectMapper();

    private StreamChecks() {
    }

    /** Copies of one JPEG told apart by a COM tag {@code prefix-i}, so every streamed part names its origin. */
    static List<byte[]> tagged(byte[] jpeg, String prefix, int count) {
        List<byte[]> pool = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            pool.add(TestImages.withComment(jpeg, prefix + "-" + i));
        }
        return pool;
    }

    /** The number in a {@code prefix-i} tag, or -1 for a frame without our tag. */
    static int tagNumber(byte[] jpeg) {
        String comment = TestImages.comment(jpeg);
        if (comment == null || comment.lastIndexOf('-') < 0) {
            return -1;
        }
        return Integer.parseInt(comment.substring(comment.lastIndexOf('-') + 1));
    }

    static JsonNode images(URL base) {
        var response = Http.getText(base + "images");
        assertEquals(200, response.statusCode(), response.body());
        try {
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static int streamCount(URL base, String id) {
        return images(base).path(id).path("streams").size();
    }

    static String state(URL base, String id) {
        return images(base).path(id).path("state").asText();
    }

    static void awaitStreams(URL base, String id, int count, Duration within) {
        await(() -> streamCount(base, id) == count, within,
                () -> "image '" + id + "' should have " + count + " open stream(s), has " + streamCount(base, id));
    }

    static void awaitState(URL base, String id, String state, Duration within) {
        await(() -> state.equals(state(base, id)), within,
                () -> "image '" + id + "' should be " + state + ", is " + state(base, id));
    }

    /** Waits until the image has a frame to serve, so a stream opened next starts with one. */
    static void awaitSnapshot(URL base, String id) {
        await(() -> Http.get(base + "images/" + id).statusCode() == 200, Duration.ofSeconds(10),
                () -> "image '" + id + "' never got a frame");
    }

    static void await(BooleanSupplier condition, Duration within, Supplier<String> message) {
        long deadline = System.nanoTime() + within.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail(message.get());
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail("interrupted");
            }
        }
    }

    static BufferedImage decode(byte[] jpeg) {
        try {
            BufferedImage image = ImageIO.read(new ByteArrayInputStream(jpeg));
            if (image == null) {
                fail("not a decodable image");
            }
            return image;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String size(byte[] jpeg) {
        BufferedImage image = decode(jpeg);
        return image.getWidth() + "x" + image.getHeight();
    }

    static long millis(long nanos) {
        return nanos / 1_000_000;
    }
}

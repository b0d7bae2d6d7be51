package org.mjpegserver.fetch;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.mjpegserver.frames.SourceStatus;
import org.mjpegserver.image.InvalidImageException;

/**
 * Which parts the relay takes when a taken one cannot be used. The parts arrive all at once, inside one turn of
 * an hour, so without a part passing its turn on only the first would ever be taken.
 */
final class StreamRelayTest {

    private static final long MAX = 1000;
    private static final long HOUR = TimeUnit.HOURS.toNanos(1);

    /** Takes every body but those starting with 'X', which it refuses as invalid; records what it saw. */
    private static final class Recorder implements StreamRelay.Sink {
        final List<String> taken = new ArrayList<>();
        final List<String> refused = new ArrayList<>();

        @Override
        public void take(byte[] body, Instant arrived) throws InvalidImageException {
            String text = new String(body, StandardCharsets.US_ASCII);
            if (text.startsWith("X")) {
                throw new InvalidImageException("invalid " + text);
            }
            taken.add(text);
        }

        @Override
        public void refuse(String reason) {
            refused.add(reason);
        }
    }

    @Test
    void aPartTooLargeToTakePassesItsTurnToTheNext() {
        Recorder sink = relay(part("L".repeat(1500)), part("small 1"), part("small 2"));
        assertEquals(List.of("small 1"), sink.taken);
        assertEquals(List.of("part of 1500 bytes is larger than max_image_bytes (1000)"), sink.refused);
    }

    @Test
    void anInvalidPartPassesItsTurnToTheNext() {
        Recorder sink = relay(part("X broken"), part("good 1"), part("good 2"));
        assertEquals(List.of("good 1"), sink.taken);
        assertEquals(List.of("invalid X broken"), sink.refused);
    }

    @Test
    void aTurnIsPassedOnOnceSoUnusablePartsCostAtMostTwoTriesATurn() {
        Recorder sink = relay(part("X one"), part("X two"), part("X three"), part("good"));
        assertEquals(List.of(), sink.taken);
        assertEquals(List.of("invalid X one", "invalid X two"), sink.refused);
    }

    private static Recorder relay(byte[]... parts) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            body.writeBytes(part);
        }
        body.writeBytes(ascii("--frame--\r\n"));
        PartReader reader = PartReader.open(new ByteArrayInputStream(body.toByteArray()),
                "multipart/x-mixed-replace; boundary=frame", MAX);
        Recorder sink = new Recorder();
        StreamRelay relay = new StreamRelay(new Fetched.Stream(reader, () -> { }), new SourceStatus(SourceStatus.Kind.STREAM),
                () -> HOUR, sink);
        assertEquals(StreamRelay.Ended.How.ENDED, relay.run().how());
        return sink;
    }

    private static byte[] part(String content) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(ascii("--frame\r\nContent-Type: image/jpeg\r\nContent-Length: " + content.length() + "\r\n\r\n"));
        out.writeBytes(ascii(content));
        out.writeBytes(ascii("\r\n"));
        return out.toByteArray();
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }
}

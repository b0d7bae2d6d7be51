package org.mjpegserver.frames;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

final class FrameTest {

    private static String part(Instant capturedAt) {
        return new String(Frame.of("JPEG".getBytes(StandardCharsets.US_ASCII), capturedAt, 1).part(), StandardCharsets.US_ASCII);
    }

    @Test
    void thePartIsHeadersTheJpegAndTheNextBoundary() {
        assertEquals("Content-Type: image/jpeg\r\nContent-Length: 4\r\nX-Timestamp: 1712345678.123456\r\n\r\nJPEG\r\n--frame\r\n",
                part(Instant.ofEpochSecond(1712345678, 123_456_789)));
    }

    @Test
    void theTimestampHasSixDigitsOfMicroseconds() {
        assertTrue(part(Instant.ofEpochSecond(1712345678, 1_000)).contains("X-Timestamp: 1712345678.000001\r\n"));
        assertTrue(part(Instant.ofEpochSecond(1712345678, 999)).contains("X-Timestamp: 1712345678.000000\r\n"));
        assertTrue(part(Instant.ofEpochSecond(1712345678, 999_999_999)).contains("X-Timestamp: 1712345678.999999\r\n"));
    }
}

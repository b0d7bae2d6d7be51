package org.mjpegserver.fetch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.util.Random;
import org.junit.jupiter.api.Test;

final class BodiesTest {

    private static final long NO_DEADLINE = System.nanoTime() + 60_000_000_000L;

    private static byte[] bytes(int length) {
        byte[] body = new byte[length];
        new Random(length).nextBytes(body);
        return body;
    }

    @Test
    void aBodyOfItsDeclaredLengthIsReadWholeWhateverTheReadsLookLike() throws Exception {
        byte[] body = bytes(100_000);
        for (InputStream in : new InputStream[] {new ByteArrayInputStream(body), SlicedInputStream.randomSlices(body, 7, 3000),
                SlicedInputStream.oneByteAtATime(body)}) {
            assertArrayEquals(body, Bodies.read(in, 1_000_000, body.length, NO_DEADLINE));
        }
    }

    @Test
    void aBodyOfUnknownLengthGrowsAsItComes() throws Exception {
        for (int length : new int[] {0, 1, Bodies.UNKNOWN_LENGTH_START - 1, Bodies.UNKNOWN_LENGTH_START,
                Bodies.UNKNOWN_LENGTH_START + 1, 300_001}) {
            byte[] body = bytes(length);
            assertArrayEquals(body, Bodies.read(SlicedInputStream.randomSlices(body, length, 5000), 1_000_000, -1, NO_DEADLINE),
                    "length " + length);
        }
    }

    @Test
    void aBodyLongerOrShorterThanDeclaredIsReadAsItIs() throws Exception {
        // A file that grew or shrank between its size and its read.
        byte[] body = bytes(50_000);
        assertArrayEquals(body, Bodies.read(new ByteArrayInputStream(body), 1_000_000, 20_000, NO_DEADLINE));
        assertArrayEquals(body, Bodies.read(new ByteArrayInputStream(body), 1_000_000, 80_000, NO_DEADLINE));
        assertEquals(0, Bodies.read(new ByteArrayInputStream(new byte[0]), 1_000_000, 0, NO_DEADLINE).length);
    }

    @Test
    void aBodyOverTheLimitFailsWithoutReadingTheRest() {
        for (long declared : new long[] {-1, 1000, 5000}) {
            CountingStream in = new CountingStream(bytes(10_000_000));
            FetchException e = assertThrows(FetchException.class, () -> Bodies.read(in, 4096, declared, NO_DEADLINE));
            assertEquals("body larger than max_image_bytes (4096)", e.getMessage());
            assertTrue(in.read < 64 * 1024, "read " + in.read + " bytes with " + declared + " declared");
        }
        byte[] exactlyTheLimit = bytes(4096);
        assertArrayEquals(exactlyTheLimit, assertDoesNotFail(exactlyTheLimit, 4096));
    }

    @Test
    void aBodyPastItsDeadlineFails() {
        FetchException e = assertThrows(FetchException.class,
                () -> Bodies.read(new ByteArrayInputStream(bytes(1000)), 1_000_000, 1000, System.nanoTime() - 1));
        assertEquals("body not complete within the read timeout", e.getMessage());
    }

    private static byte[] assertDoesNotFail(byte[] body, long max) {
        try {
            return Bodies.read(new ByteArrayInputStream(body), max, -1, NO_DEADLINE);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static final class CountingStream extends ByteArrayInputStream {
        int read;

        CountingStream(byte[] body) {
            super(body);
        }

        @Override
        public synchronized int read(byte[] b, int off, int len) {
            int n = super.read(b, off, len);
            read += Math.max(n, 0);
            return n;
        }
    }
}

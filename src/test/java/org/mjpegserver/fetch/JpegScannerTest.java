package org.mjpegserver.fetch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.mjpegserver.testing.TestImages;

/** The JPEG marker walker on its own: the word-at-a-time FF search, and ends found a byte at a time. */
final class JpegScannerTest {

    @Test
    void ffSearchAgreesWithAPlainLoopAtEveryAlignment() {
        Random random = new Random(11);
        // Bytes next to FF in value (FE, 7F, 80, 00, 01) are where a word-at-a-time test could go wrong.
        byte[] alphabet = {(byte) 0xFF, (byte) 0xFE, 0x7F, (byte) 0x80, 0x00, 0x01, 0x55};
        for (int round = 0; round < 2000; round++) {
            byte[] buf = new byte[1 + random.nextInt(40)];
            for (int i = 0; i < buf.length; i++) {
                buf[i] = random.nextInt(4) == 0 ? alphabet[random.nextInt(alphabet.length)] : (byte) random.nextInt(256);
            }
            for (int from = 0; from <= buf.length; from++) {
                for (int to = from; to <= buf.length; to++) {
                    assertEquals(plain(buf, from, to), JpegScanner.indexOfFf(buf, from, to), Arrays.toString(buf) + " " + from + ".." + to);
                }
            }
        }
    }

    /** Fed a byte at a time, the walker needs at most 2 bytes in a slice to move on, and stops right after EOI. */
    @Test
    void endFoundByteByByte() {
        byte[] jpeg = TestImages.withComment(TestImages.jpeg(40, 30, "s"), "a comment");
        byte[] stream = Arrays.copyOf(jpeg, jpeg.length + 5);
        JpegScanner scanner = new JpegScanner();
        int i = 0;
        int window = 1;
        while (!scanner.ended()) {
            int next = scanner.scan(stream, i, Math.min(stream.length, i + window));
            assertNull(scanner.error());
            if (next == i) {
                window++;
                assertTrue(window <= 2, "stuck at " + i);
            } else {
                i = next;
                window = 1;
            }
        }
        assertEquals(jpeg.length, i);
    }

    @Test
    void structuralErrors() {
        JpegScanner scanner = new JpegScanner();
        byte[] notJpeg = {'G', 'I', 'F', '8'};
        assertEquals(0, scanner.scan(notJpeg, 0, notJpeg.length));
        assertEquals("no SOI marker", scanner.error());
        byte[] jpeg = TestImages.jpeg(16, 16, "e");
        byte[] nested = jpeg.clone();
        nested[nested.length - 1] = (byte) 0xD8; // FF D8 where EOI belongs
        scanner.reset();
        int at = scanAll(scanner, nested);
        assertEquals("SOI marker inside a JPEG", scanner.error());
        assertEquals(nested.length - 2, at);
        assertFalse(scanner.ended());
        scanner.reset();
        assertEquals(jpeg.length, scanAll(scanner, jpeg));
        assertTrue(scanner.ended());
    }

    private static int scanAll(JpegScanner scanner, byte[] bytes) {
        int i = 0;
        while (!scanner.ended() && scanner.error() == null && i < bytes.length) {
            i = scanner.scan(bytes, i, bytes.length);
        }
        return i;
    }

    private static int plain(byte[] buf, int from, int to) {
        int i = from;
        while (i < to && buf[i] != (byte) 0xFF) {
            i++;
        }
        return i;
    }
}

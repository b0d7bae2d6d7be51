package org.mjpegserver.bench;

import java.nio.charset.StandardCharsets;

/**
 * The serve time and sequence number the upstream writes into every JPEG it serves, as a fixed-size COM segment
 * right after SOI, so a viewer can tell a new frame from a repeat and how old it is. Times are epoch nanoseconds
 * from one fixed base, so they are comparable within this JVM (the upstream and the load client both run here).
 */
final class Stamp {

    private static final String PREFIX = "mjpeg-bench seq=";
    private static final String TIME = " t=";
    private static final int SEQ_DIGITS = 12;
    private static final int TIME_DIGITS = 19;
    private static final int TEXT_LENGTH = PREFIX.length() + SEQ_DIGITS + TIME.length() + TIME_DIGITS;
    /** SOI, COM marker, COM length, text: the body bytes a viewer needs to read the stamp. */
    static final int HEAD_LENGTH = 2 + 4 + TEXT_LENGTH;
    private static final int SEQ_AT = 6 + PREFIX.length();
    private static final int TIME_AT = SEQ_AT + SEQ_DIGITS + TIME.length();

    // Microseconds, as the server's X-Timestamp headers (System.currentTimeMillis() would be up to 1 ms off).
    private static final long BASE_EPOCH_NANOS = java.time.temporal.ChronoUnit.NANOS.between(java.time.Instant.EPOCH, java.time.Instant.now());
    private static final long BASE_NANO_TIME = System.nanoTime();

    private Stamp() {
    }

    static long now() {
        return BASE_EPOCH_NANOS + (System.nanoTime() - BASE_NANO_TIME);
    }

    /** The JPEG with a zeroed stamp segment inserted after SOI; {@link #write} fills it in a copy. */
    static byte[] withEmptyStamp(byte[] jpeg) {
        if (jpeg.length < 4 || (jpeg[0] & 0xff) != 0xff || (jpeg[1] & 0xff) != 0xd8) {
            throw new IllegalArgumentException("not a JPEG");
        }
        byte[] out = new byte[jpeg.length + HEAD_LENGTH - 2];
        out[0] = (byte) 0xff;
        out[1] = (byte) 0xd8;
        out[2] = (byte) 0xff;
        out[3] = (byte) 0xfe;
        out[4] = (byte) ((TEXT_LENGTH + 2) >> 8);
        out[5] = (byte) (TEXT_LENGTH + 2);
        byte[] text = (PREFIX + "0".repeat(SEQ_DIGITS) + TIME + "0".repeat(TIME_DIGITS)).getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(text, 0, out, 6, TEXT_LENGTH);
        System.arraycopy(jpeg, 2, out, HEAD_LENGTH, jpeg.length - 2);
        return out;
    }

    /** A copy of a stamped JPEG carrying this sequence number and serve time. */
    static byte[] write(byte[] stamped, long sequence, long servedNanos) {
        byte[] out = stamped.clone();
        digits(out, SEQ_AT, SEQ_DIGITS, sequence);
        digits(out, TIME_AT, TIME_DIGITS, servedNanos);
        return out;
    }

    /** The sequence number in a body's first {@link #HEAD_LENGTH} bytes, or -1 when they carry no stamp. */
    static long sequence(byte[] head, int length) {
        return valid(head, length) ? number(head, SEQ_AT, SEQ_DIGITS) : -1;
    }

    /** The serve time in a body's first {@link #HEAD_LENGTH} bytes; 0 for none (the trivial sender's frames). */
    static long servedNanos(byte[] head, int length) {
        return valid(head, length) ? number(head, TIME_AT, TIME_DIGITS) : 0;
    }

    private static boolean valid(byte[] head, int length) {
        return length >= HEAD_LENGTH && (head[2] & 0xff) == 0xff && (head[3] & 0xff) == 0xfe && head[6] == 'm';
    }

    private static void digits(byte[] out, int at, int count, long value) {
        for (int i = at + count - 1; i >= at; i--) {
            out[i] = (byte) ('0' + value % 10);
            value /= 10;
        }
    }

    private static long number(byte[] in, int at, int count) {
        long value = 0;
        for (int i = at; i < at + count; i++) {
            value = value * 10 + (in[i] - '0');
        }
        return value;
    }
}

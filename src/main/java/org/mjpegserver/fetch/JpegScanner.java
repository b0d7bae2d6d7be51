package org.mjpegserver.fetch;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Finds where a JPEG ends by walking its marker segments, fed the bytes of a stream a slice at a time.
 *
 * <p>Searching for {@code FF D9} would end a frame early: metadata segments (an EXIF thumbnail is a whole JPEG)
 * may hold it. So the walker skips every length-prefixed segment by its length, and only in entropy-coded data
 * does it look at bytes one by one, where the encoder stuffs every {@code FF} data byte as {@code FF 00} and
 * restart markers are {@code FF D0..D7}: any other {@code FF xx} there is a marker, and {@code FF D9} the end.
 */
final class JpegScanner {

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private static final int SOI = 0xD8;
    private static final int EOI = 0xD9;
    private static final int SOS = 0xDA;
    private static final int TEM = 0x01;

    private enum State { START, MARKER, LENGTH, SEGMENT, ENTROPY, ENDED, FAILED }

    private State state = State.START;
    /** The marker whose segment is being skipped: after SOS's header come entropy-coded data. */
    private int segmentMarker;
    private int remaining;
    private String error;

    /** Ready for a new JPEG, which must start with SOI. */
    void reset() {
        state = State.START;
        error = null;
    }

    /** True once EOI has been consumed. */
    boolean ended() {
        return state == State.ENDED;
    }

    /** Why the bytes are not a JPEG, or null while they still may be. */
    String error() {
        return error;
    }

    /** True inside a length-prefixed segment (metadata, tables, a scan header), whose bytes may be anything. */
    boolean insideSegment() {
        return state == State.LENGTH || state == State.SEGMENT;
    }

    /**
     * Consumes from {@code buf[from, to)} and returns the index after the last byte consumed. It stops early
     * just after EOI, at the {@code FF} of a marker that breaks the structure (see {@link #error()}), before a
     * marker or segment length that is not wholly in the slice (at most 3 bytes; feed them again with more),
     * and whenever a length-prefixed segment begins or ends, so that a caller can tell segment bytes from the
     * rest (see {@link #insideSegment()}).
     */
    int scan(byte[] buf, int from, int to) {
        int i = from;
        while (i < to) {
            switch (state) {
                case START:
                    if (to - i < 2) {
                        return i;
                    }
                    if ((buf[i] & 0xFF) != 0xFF || (buf[i + 1] & 0xFF) != SOI) {
                        return fail(i, "no SOI marker");
                    }
                    i += 2;
                    state = State.MARKER;
                    break;
                case MARKER:
                    if ((buf[i] & 0xFF) != 0xFF) {
                        return fail(i, "expected a marker");
                    }
                    if (to - i < 2) {
                        return i;
                    }
                    int code = buf[i + 1] & 0xFF;
                    if (code == 0xFF) {
                        i++; // fill byte before a marker
                    } else if (code == EOI) {
                        state = State.ENDED;
                        return i + 2;
                    } else if (code == SOI) {
                        return fail(i, "SOI marker inside a JPEG");
                    } else if (code == TEM || (code >= 0xD0 && code <= 0xD7)) {
                        i += 2; // standalone markers carry no length
                    } else if (code < 0xC0) {
                        return fail(i, String.format("invalid marker FF %02X", code));
                    } else {
                        segmentMarker = code;
                        state = State.LENGTH;
                        i += 2;
                    }
                    break;
                case LENGTH:
                    if (to - i < 2) {
                        return i;
                    }
                    int length = (buf[i] & 0xFF) << 8 | (buf[i + 1] & 0xFF);
                    if (length < 2) {
                        return fail(i, "segment length " + length);
                    }
                    remaining = length - 2;
                    i += 2;
                    state = State.SEGMENT;
                    if (remaining > 0) {
                        return i;
                    }
                    break;
                case SEGMENT:
                    int n = Math.min(remaining, to - i);
                    i += n;
                    remaining -= n;
                    if (remaining > 0) {
                        return i;
                    }
                    state = segmentMarker == SOS ? State.ENTROPY : State.MARKER;
                    return i;
                case ENTROPY:
                    int ff = indexOfFf(buf, i, to);
                    if (ff == to) {
                        return to;
                    }
                    if (to - ff < 2) {
                        return ff;
                    }
                    int next = buf[ff + 1] & 0xFF;
                    if (next == 0x00 || (next >= 0xD0 && next <= 0xD7)) {
                        i = ff + 2; // stuffed data byte, or a restart marker inside the scan
                    } else if (next == 0xFF) {
                        i = ff + 1; // fill byte; the next FF decides
                    } else {
                        i = ff; // a marker ends the scan: EOI, or the tables and header of another scan
                        state = State.MARKER;
                    }
                    break;
                default:
                    return i;
            }
        }
        return i;
    }

    private int fail(int at, String reason) {
        state = State.FAILED;
        error = reason;
        return at;
    }

    /**
     * The first FF in {@code buf[from, to)}, or {@code to}. Entropy-coded data is nearly all of a JPEG, so this
     * looks at 8 bytes a step: in the complement an FF byte is zero, and the classic zero-byte test flags it
     * (it may also flag bytes above a zero byte, never below one, so the lowest flag is right).
     */
    static int indexOfFf(byte[] buf, int from, int to) {
        int i = from;
        for (; i + Long.BYTES <= to; i += Long.BYTES) {
            long inverted = ~(long) LONGS.get(buf, i);
            long zeros = (inverted - 0x0101010101010101L) & ~inverted & 0x8080808080808080L;
            if (zeros != 0) {
                return i + (Long.numberOfTrailingZeros(zeros) >>> 3);
            }
        }
        while (i < to && buf[i] != (byte) 0xFF) {
            i++;
        }
        return i;
    }
}

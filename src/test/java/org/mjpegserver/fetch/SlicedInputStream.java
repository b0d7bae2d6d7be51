package org.mjpegserver.fetch;

import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;

/**
 * A body handed out in slices, as a socket does: one byte per read, random small reads, or two reads split at a
 * given offset, so a parser's treatment of read edges is tested at every position.
 */
final class SlicedInputStream extends InputStream {

    /** One way to slice a body, with a name for assertion messages. */
    record Slicing(String name, Supplier<InputStream> stream) {
    }

    private final byte[] body;
    private final Random random;
    private final int maxSlice;
    private final int splitAt;
    private int pos;

    private SlicedInputStream(byte[] body, Random random, int maxSlice, int splitAt) {
        this.body = body;
        this.random = random;
        this.maxSlice = maxSlice;
        this.splitAt = splitAt;
    }

    static InputStream oneByteAtATime(byte[] body) {
        return new SlicedInputStream(body, null, 1, -1);
    }

    static InputStream randomSlices(byte[] body, long seed, int maxSlice) {
        return new SlicedInputStream(body, new Random(seed), maxSlice, -1);
    }

    /** Everything before {@code offset} in the first read, everything else in the next. */
    static InputStream splitAt(byte[] body, int offset) {
        return new SlicedInputStream(body, null, Integer.MAX_VALUE, offset);
    }

    /**
     * The ways every parsing test reads a body: whole, a byte at a time, random slices (small, and up to a few KB),
     * and for small bodies, split in two at every offset.
     */
    static List<Slicing> slicings(byte[] body) {
        List<Slicing> slicings = new ArrayList<>();
        slicings.add(new Slicing("whole", () -> splitAt(body, body.length)));
        slicings.add(new Slicing("one byte per read", () -> oneByteAtATime(body)));
        for (long seed = 1; seed <= 3; seed++) {
            long s = seed;
            slicings.add(new Slicing("random slices up to 7, seed " + s, () -> randomSlices(body, s, 7)));
            slicings.add(new Slicing("random slices up to 3000, seed " + s, () -> randomSlices(body, s, 3000)));
        }
        if (body.length <= 6000) {
            for (int offset = 1; offset < body.length; offset++) {
                int at = offset;
                slicings.add(new Slicing("split at " + at, () -> splitAt(body, at)));
            }
        }
        return slicings;
    }

    @Override
    public int read() {
        return pos < body.length ? body[pos++] & 0xFF : -1;
    }

    @Override
    public int read(byte[] b, int off, int len) {
        if (len == 0) {
            return 0;
        }
        if (pos >= body.length) {
            return -1;
        }
        int n;
        if (splitAt >= 0) {
            n = pos < splitAt ? splitAt - pos : body.length - pos;
        } else {
            n = random == null ? maxSlice : 1 + random.nextInt(maxSlice);
        }
        n = Math.min(Math.min(n, len), body.length - pos);
        System.arraycopy(body, pos, b, off, n);
        pos += n;
        return n;
    }
}

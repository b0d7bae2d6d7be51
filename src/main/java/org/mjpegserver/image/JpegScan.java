package org.mjpegserver.image;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Judges a baseline JPEG the way the full decoder would, without its inverse DCT, upsampling and colour stages: the
 * markers and segment lengths are parsed, the Huffman tables built, and every block's codes decoded and counted
 * (coefficient bits are skipped, not used), so damage anywhere in the entropy-coded data is still seen.
 *
 * <p>It answers only where it is sure what the decoder (TwelveMonkeys over the JDK's libjpeg) makes of the bytes:
 * {@link Verdict#VALID} for a file whose every part is in order, a damage verdict where the decoder is bound to warn
 * (it needs bits past the end of the data, or meets the wrong restart marker), and {@link Verdict#UNDECIDED} for
 * everything else: progressive, arithmetic, lossless, 12-bit, several scans, colour profiles, bytes the decoder
 * may silently skip, a code no table knows. Those go to the full decode, which is the reference.
 *
 * <p>The bit reader mirrors libjpeg's: a marker met inside the data ends it and zero bits stand in for the rest, so
 * needing one of those zeros is exactly when libjpeg warns of a premature end. A bad code takes 17 bits and gives
 * symbol 0, as libjpeg does, so what follows is read as libjpeg reads it.
 */
final class JpegScan {

    enum Verdict {
        VALID(null),
        UNDECIDED(null),
        ENDS_EARLY("damaged image: the scan data ends before its last block"),
        RESTART_OUT_OF_ORDER("damaged image: a restart marker is missing or out of order"),
        EXTRA_DATA("damaged image: extra data after the last block of the scan or of a restart interval");

        /** The refusal's reason; null when this verdict refuses nothing. */
        final String damage;

        Verdict(String damage) {
            this.damage = damage;
        }
    }

    private static final int SOF0 = 0xC0;
    private static final int SOF1 = 0xC1;
    private static final int DHT = 0xC4;
    private static final int RST0 = 0xD0;
    private static final int EOI = 0xD9;
    private static final int SOS = 0xDA;
    private static final int DQT = 0xDB;
    private static final int DRI = 0xDD;
    private static final int APP0 = 0xE0;
    private static final int APP2 = 0xE2;
    private static final int APP14 = 0xEE;
    private static final int APP15 = 0xEF;
    private static final int COM = 0xFE;
    /** Enough bits for the longest code (16, or 17 for a bad one) plus the most magnitude bits (15). */
    private static final int NEEDED_BITS = 32;
    /**
     * How many of the next bits the tables look up at once: on the benchmark's frames 12 took as much time as 9 less
     * (fewer, longer steps) and as 14 or 16 more (their tables no longer fit the first-level cache).
     */
    static final int LOOKAHEAD = 12;
    static final int LOOKAHEAD_SIZE = 1 << LOOKAHEAD;
    // A step in a lookup: bits to consume, coefficients to advance, and whether the block ends; see HuffmanTable.lookup.
    private static final int BITS_MASK = 0x1f;
    private static final int ADVANCE_SHIFT = 5;
    private static final int ADVANCE_MASK = 0x3f;
    private static final int BLOCK_ENDS = 1 << 11;
    private static final int STEP_MASK = 0xfff;
    private static final int SINGLE_SHIFT = 12;
    /**
     * Extra bytes before a marker that libjpeg surely counts and warns about: its bit buffer, which it drops
     * silently, holds at most 8 bytes of data (16 with stuffing); this class reads at most as far ahead.
     */
    private static final int SURELY_EXTRA_BYTES = 32;
    private static final VarHandle LONG_BIG_ENDIAN = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    /** Thrown from deep in the parse when the bytes are out of what this class can judge; no stack, it is routine. */
    private static final class Undecided extends RuntimeException {
        private static final Undecided INSTANCE = new Undecided();

        private Undecided() {
            super(null, null, false, false);
        }
    }

    /** Thrown where the decoder is bound to warn, wherever in the scan that is found. */
    private static final class Damaged extends RuntimeException {
        final Verdict verdict;

        Damaged(Verdict verdict) {
            super(null, null, false, false);
            this.verdict = verdict;
        }
    }

    private final byte[] data;
    /** Index just past the final EOI marker. */
    private final int end;
    private int pos;

    // Frame and tables.
    private int width;
    private int height;
    private int[] componentIds;
    private int[] hSampling;
    private int[] vSampling;
    private int[] quantTable;
    private final boolean[] quantDefined = new boolean[4];
    private final HuffmanTable[] dcTables = new HuffmanTable[4];
    private final HuffmanTable[] acTables = new HuffmanTable[4];
    private int restartInterval;

    // Bit reader: the low {@code bits} bits of {@code buffer} are unread, {@code padding} of them zeros after a marker.
    private long buffer;
    private int bits;
    private int padding;
    private boolean markerReached;
    private boolean badCode;

    private JpegScan(byte[] data, int end) {
        this.data = data;
        this.end = end;
    }

    /**
     * Judges {@code data[0, end)}, which starts with SOI and ends with EOI (the framing the caller checked first).
     * Undecided for a frame over {@code maxPixels}: the full decoder refuses it from its header, naming the size.
     */
    static Verdict check(byte[] data, int end, long maxPixels) {
        try {
            return new JpegScan(data, end).run(maxPixels);
        } catch (Damaged e) {
            return e.verdict;
        } catch (Undecided | ArrayIndexOutOfBoundsException e) {
            // Index errors can only come from bytes this class did not foresee: the full decoder judges those.
            return Verdict.UNDECIDED;
        }
    }

    private Verdict run(long maxPixels) {
        pos = 2;
        while (true) {
            int marker = nextMarker();
            if (marker == SOS) {
                if (componentIds == null || (long) width * height > maxPixels) {
                    throw Undecided.INSTANCE;
                }
                return scan();
            }
            int length = u16(pos);
            int segmentEnd = pos + length;
            if (length < 2 || segmentEnd > end) {
                throw Undecided.INSTANCE;
            }
            pos += 2;
            switch (marker) {
                case SOF0, SOF1 -> frame(segmentEnd);
                case DHT -> huffmanTables(segmentEnd);
                case DQT -> quantisationTables(segmentEnd);
                case DRI -> {
                    require(length == 4);
                    restartInterval = u16(pos);
                }
                default -> require(marker == COM
                        // Colour profiles and Adobe's colour transform change what the decoder does beyond the scan.
                        || (marker >= APP0 && marker <= APP15 && marker != APP2 && marker != APP14));
            }
            pos = segmentEnd;
        }
    }

    /** The marker at {@code pos}, after any fill bytes; anything else between segments is left to the decoder. */
    private int nextMarker() {
        require((data[pos] & 0xff) == 0xff);
        while ((data[pos] & 0xff) == 0xff) {
            pos++;
        }
        return data[pos++] & 0xff;
    }

    private void frame(int segmentEnd) {
        require(componentIds == null);
        int count = data[pos + 5] & 0xff;
        require((data[pos] & 0xff) == 8 && segmentEnd - pos == 6 + 3 * count && (count == 1 || count == 3));
        height = u16(pos + 1);
        width = u16(pos + 3);
        require(width > 0 && height > 0);
        componentIds = new int[count];
        hSampling = new int[count];
        vSampling = new int[count];
        quantTable = new int[count];
        for (int c = 0; c < count; c++) {
            int at = pos + 6 + 3 * c;
            componentIds[c] = data[at] & 0xff;
            hSampling[c] = (data[at + 1] & 0xff) >> 4;
            vSampling[c] = data[at + 1] & 0x0f;
            quantTable[c] = data[at + 2] & 0xff;
            require(quantTable[c] < 4);
            // Luma at full or half resolution, chroma at the lowest: 4:4:4, 4:2:2, 4:2:0, 4:4:0 and grey.
            boolean luma = c == 0 && count == 3;
            require(luma ? hSampling[c] >= 1 && hSampling[c] <= 2 && vSampling[c] >= 1 && vSampling[c] <= 2
                    : hSampling[c] == 1 && vSampling[c] == 1);
            for (int other = 0; other < c; other++) {
                require(componentIds[other] != componentIds[c]);
            }
        }
    }

    private void quantisationTables(int segmentEnd) {
        while (pos < segmentEnd) {
            int precisionAndId = data[pos++] & 0xff;
            // 16-bit tables are legal but unusual in baseline files: left to the decoder.
            require(precisionAndId < 4 && pos + 64 <= segmentEnd);
            for (int i = 0; i < 64; i++) {
                require(data[pos + i] != 0);
            }
            quantDefined[precisionAndId] = true;
            pos += 64;
        }
    }

    private void huffmanTables(int segmentEnd) {
        while (pos < segmentEnd) {
            int classAndId = data[pos++] & 0xff;
            int tableClass = classAndId >> 4;
            int id = classAndId & 0x0f;
            require(tableClass <= 1 && id < 4 && pos + 16 <= segmentEnd);
            int[] counts = new int[17];
            int total = 0;
            for (int length = 1; length <= 16; length++) {
                counts[length] = data[pos++] & 0xff;
                total += counts[length];
            }
            require(total <= 256 && pos + total <= segmentEnd);
            HuffmanTable table = HuffmanTable.of(tableClass == 0, counts, data, pos, total);
            // libjpeg refuses an over-subscribed table, and DC symbols over 15, when a scan uses the table.
            require(table != null && (tableClass == 1 || table.maxSymbol <= 15));
            (tableClass == 0 ? dcTables : acTables)[id] = table;
            pos += total;
        }
    }

    private Verdict scan() {
        int length = u16(pos);
        int count = componentIds.length;
        require(length == 6 + 2 * count && data[pos + 2] == count);
        HuffmanTable[] dc = new HuffmanTable[count];
        HuffmanTable[] ac = new HuffmanTable[count];
        for (int c = 0; c < count; c++) {
            int at = pos + 3 + 2 * c;
            require((data[at] & 0xff) == componentIds[c] && quantDefined[quantTable[c]]);
            dc[c] = dcTables[(data[at + 1] & 0xff) >> 4 & 3];
            ac[c] = acTables[data[at + 1] & 3];
            require(dc[c] != null && ac[c] != null && (data[at + 1] & 0xcc) == 0);
        }
        int spectral = pos + 3 + 2 * count;
        require(data[spectral] == 0 && data[spectral + 1] == 63 && data[spectral + 2] == 0);
        pos += length;
        return entropyCodedData(dc, ac);
    }

    /** Every MCU of the single scan, with restart markers in order, then EOI right at the end. */
    private Verdict entropyCodedData(HuffmanTable[] dc, HuffmanTable[] ac) {
        int maxH = 1;
        int maxV = 1;
        for (int c = 0; c < hSampling.length; c++) {
            maxH = Math.max(maxH, hSampling[c]);
            maxV = Math.max(maxV, vSampling[c]);
        }
        // One component alone is not interleaved: its MCU is one block whatever its sampling factors say.
        boolean single = hSampling.length == 1;
        int mcuWidth = single ? 8 : 8 * maxH;
        int mcuHeight = single ? 8 : 8 * maxV;
        long mcus = (long) ((width + mcuWidth - 1) / mcuWidth) * ((height + mcuHeight - 1) / mcuHeight);
        // The tables of each block of one MCU, in order.
        int blocks = 0;
        HuffmanTable[] blockDc = new HuffmanTable[10];
        HuffmanTable[] blockAc = new HuffmanTable[10];
        for (int c = 0; c < hSampling.length; c++) {
            int n = single ? 1 : hSampling[c] * vSampling[c];
            for (int i = 0; i < n; i++) {
                blockDc[blocks] = dc[c];
                blockAc[blocks++] = ac[c];
            }
        }
        long interval = restartInterval == 0 ? mcus : restartInterval;
        int nextRestart = 0;
        for (long done = 0; done < mcus; done += interval) {
            if (done != 0) {
                int marker = markerAfterData();
                if (marker != RST0 + nextRestart) {
                    return Verdict.RESTART_OUT_OF_ORDER;
                }
                pos += 2;
                buffer = 0;
                bits = 0;
                markerReached = false;
                nextRestart = (nextRestart + 1) & 7;
            }
            if (!mcus(Math.min(interval, mcus - done), blocks, blockDc, blockAc)) {
                return Verdict.ENDS_EARLY;
            }
        }
        if (markerAfterData() != EOI || pos + 2 != end || badCode) {
            // More data or segments after the last block, or a bad code on the way: libjpeg may or may not warn.
            throw Undecided.INSTANCE;
        }
        return Verdict.VALID;
    }

    /**
     * Decodes {@code count} MCUs, each {@code blocks} blocks with the given tables; false as soon as one needs bits
     * past the end of the data. This loop is where the time goes: the bit reader lives in locals here (the quick
     * compiler keeps locals in registers, fields it reloads), and each step takes a whole {@link HuffmanTable#lookup
     * run of symbols} at once.
     */
    private boolean mcus(long count, int blocks, HuffmanTable[] blockDc, HuffmanTable[] blockAc) {
        byte[] data = this.data;
        int lastFastRead = end - 8;
        long buffer = this.buffer;
        int bits = this.bits;
        int pos = this.pos;
        for (long mcu = 0; mcu < count; mcu++) {
            for (int b = 0; b < blocks; b++) {
                // The DC code first, then AC codes from coefficient 1 until end-of-block or past the 63rd.
                HuffmanTable table = blockDc[b];
                int k = 1;
                while (true) {
                    if (bits < NEEDED_BITS) {
                        // As many whole bytes as fit, read at once where none of them is FF, which is nearly always.
                        int bytes = (63 - bits) >>> 3;
                        long word = pos <= lastFastRead ? (long) LONG_BIG_ENDIAN.get(data, pos) >>> (64 - 8 * bytes) : -1;
                        long inverted = ~word;
                        if (((inverted - 0x0101010101010101L) & ~inverted & 0x8080808080808080L) == 0) {
                            buffer = buffer << (8 * bytes) | word;
                            bits += 8 * bytes;
                            pos += bytes;
                        } else {
                            this.buffer = buffer;
                            this.bits = bits;
                            this.pos = pos;
                            fill();
                            buffer = this.buffer;
                            bits = this.bits;
                            pos = this.pos;
                        }
                    }
                    int entry = table.lookup[(int) (buffer >>> (bits - LOOKAHEAD)) & (LOOKAHEAD_SIZE - 1)];
                    int step = entry & STEP_MASK;
                    if (k + (step >>> ADVANCE_SHIFT & ADVANCE_MASK) >= 64) {
                        // The run would pass the block's end (or there is none): one symbol, as the decoder goes.
                        step = entry >>> SINGLE_SHIFT;
                        if (step == 0) {
                            step = decodeLongCode(table, buffer, bits);
                        }
                    }
                    bits -= step & BITS_MASK;
                    k += step >>> ADVANCE_SHIFT & ADVANCE_MASK;
                    if ((step & BLOCK_ENDS) != 0 || k >= 64) {
                        break;
                    }
                    table = blockAc[b];
                }
            }
            if (padding > bits) {
                return false;
            }
        }
        this.buffer = buffer;
        this.bits = bits;
        this.pos = pos;
        return true;
    }

    /**
     * One symbol whose code is longer than the lookahead, or no code at all: libjpeg then takes 17 bits and symbol 0.
     * Returns the symbol's step, as in {@link HuffmanTable#lookup}.
     */
    private int decodeLongCode(HuffmanTable table, long buffer, int bits) {
        int length = LOOKAHEAD + 1;
        int code = (int) (buffer >>> (bits - length)) & ((1 << length) - 1);
        while (code > table.maxCode[length]) {
            length++;
            code = (int) (buffer >>> (bits - length)) & ((1 << length) - 1);
        }
        if (length > 16) {
            badCode = true;
            return table.step(17, 0);
        }
        return table.step(length, table.symbols[code + table.valueOffset[length]]);
    }

    /**
     * Tops the buffer up to more than 56 bits, unstuffing FF 00; from a marker on, zero bits are counted as padding.
     * The slow way, a byte at a time, for where an FF is near.
     */
    private void fill() {
        while (bits <= 56) {
            int value = 0;
            if (!markerReached) {
                value = data[pos] & 0xff;
                if (value == 0xff) {
                    int next = data[pos + 1] & 0xff;
                    if (next == 0) {
                        pos += 2;
                    } else if (next == 0xff) {
                        throw Undecided.INSTANCE; // fill bytes inside the data: libjpeg's readers differ
                    } else {
                        markerReached = true;
                        value = 0;
                    }
                } else {
                    pos++;
                }
            }
            if (markerReached) {
                padding += 8;
            }
            buffer = (buffer << 8) | value;
            bits += 8;
        }
    }

    /**
     * The marker that follows the data just decoded, which must leave less than a byte unread: libjpeg drops whole
     * bytes it has already buffered without always saying so, so extra data before a marker stays undecided.
     */
    private int markerAfterData() {
        int unreadData = bits - Math.min(padding, bits);
        if (unreadData >= 8) {
            if (!markerReached && distanceToMarker() >= SURELY_EXTRA_BYTES) {
                throw new Damaged(Verdict.EXTRA_DATA);
            }
            throw Undecided.INSTANCE;
        }
        require((data[pos] & 0xff) == 0xff);
        int marker = data[pos + 1] & 0xff;
        require(marker != 0 && marker != 0xff);
        padding = 0;
        return marker;
    }

    private int distanceToMarker() {
        int at = pos;
        while (at + 1 < end && ((data[at] & 0xff) != 0xff || data[at + 1] == 0)) {
            at++;
        }
        return at - pos;
    }

    private int u16(int at) {
        return (data[at] & 0xff) << 8 | (data[at + 1] & 0xff);
    }

    private static void require(boolean condition) {
        if (!condition) {
            throw Undecided.INSTANCE;
        }
    }

    /**
     * A decoding table as libjpeg derives it, plus a lookup on the next {@link #LOOKAHEAD} bits that decodes a whole run
     * of symbols at once: their values are never needed, only how many bits they take and how far they move along the
     * block, so one lookup can stand for all the codes (with their magnitude bits) that those bits hold.
     */
    static final class HuffmanTable {

        /**
         * Indexed by the next {@link #LOOKAHEAD} bits. The low {@link #STEP_MASK 12 bits} are the run: every symbol wholly
         * inside those bits (code and magnitude bits), stopping after an end-of-block. Its bits are how many to consume,
         * its advance how many coefficients it moves along the block (saturated: {@link #ADVANCE_MASK} for "take one
         * symbol instead"), {@link #BLOCK_ENDS} whether it ends with end-of-block. Above those, at
         * {@link #SINGLE_SHIFT}, the first symbol alone in the same form, for where the run would pass coefficient 63;
         * 0 where the code is longer than the lookahead, or no code. A DC symbol advances 0: the block's coefficient
         * count starts at 1 with the DC code.
         */
        final int[] lookup = new int[LOOKAHEAD_SIZE];
        /** Tables built lately, shared by every image's checks; a camera's two or four tables, a few cameras' worth. */
        private static final HuffmanTable[] RECENT = new HuffmanTable[8];
        private static int nextRecent;
        /** The largest code of each length, -1 where there is none; 18 entries so a 17-bit bad code ends the search. */
        final int[] maxCode = new int[18];
        final int[] valueOffset = new int[17];
        final int[] symbols;
        final int maxSymbol;
        private final boolean dc;
        /** The counts and symbols as the DHT segment holds them, to know the table when it comes again (with {@link #dc}). */
        private final byte[] definition;

        private HuffmanTable(boolean dc, int[] symbols, int maxSymbol, byte[] definition) {
            this.dc = dc;
            this.symbols = symbols;
            this.maxSymbol = maxSymbol;
            this.definition = definition;
        }

        /** One symbol's step: its code and magnitude bits, how far it moves along the block, whether it ends it. */
        int step(int codeLength, int symbol) {
            if (dc) {
                return codeLength + symbol; // the symbol is the number of magnitude bits
            }
            int run = symbol >> 4;
            int size = symbol & 0x0f;
            if (size != 0) {
                return codeLength + size | (run + 1) << ADVANCE_SHIFT;
            }
            // Size 0 is end-of-block, except run 15: sixteen zero coefficients.
            return run == 15 ? codeLength | 16 << ADVANCE_SHIFT : codeLength | BLOCK_ENDS;
        }

        /**
         * The table whose counts and symbols are at {@code data[at - 16, at + total)}: one built lately from the same
         * definition, as cameras send the same tables in every frame and building the lookup costs more than a
         * fifth of a scan, or else a new one. Null when the counts over-subscribe the code space, which libjpeg refuses.
         */
        static HuffmanTable of(boolean dc, int[] counts, byte[] data, int at, int total) {
            synchronized (RECENT) {
                for (HuffmanTable table : RECENT) {
                    if (table != null && table.dc == dc && Arrays.equals(table.definition, 0, table.definition.length,
                            data, at - 16, at + total)) {
                        return table;
                    }
                }
            }
            HuffmanTable table = build(dc, counts, data, at, total);
            if (table != null) {
                synchronized (RECENT) {
                    RECENT[nextRecent] = table;
                    nextRecent = (nextRecent + 1) % RECENT.length;
                }
            }
            return table;
        }

        static HuffmanTable build(boolean dc, int[] counts, byte[] data, int at, int total) {
            int[] symbols = new int[256];
            int maxSymbol = 0;
            for (int i = 0; i < total; i++) {
                symbols[i] = data[at + i] & 0xff;
                maxSymbol = Math.max(maxSymbol, symbols[i]);
            }
            HuffmanTable table = new HuffmanTable(dc, symbols, maxSymbol, Arrays.copyOfRange(data, at - 16, at + total));
            // The first symbol for each lookahead, with its code length above the step.
            int[] first = new int[LOOKAHEAD_SIZE];
            int code = 0;
            int index = 0;
            for (int length = 1; length <= 16; length++) {
                table.valueOffset[length] = index - code;
                table.maxCode[length] = counts[length] == 0 ? -1 : code + counts[length] - 1;
                for (int i = 0; i < counts[length]; i++) {
                    if (length <= LOOKAHEAD) {
                        int shift = LOOKAHEAD - length;
                        Arrays.fill(first, code << shift, (code + 1) << shift, table.step(length, symbols[index]));
                    }
                    code++;
                    index++;
                }
                // Also refused: a code of all ones, which would leave no room to tell codes from fill bits.
                if (code >= 1 << length) {
                    return null;
                }
                code <<= 1;
            }
            table.maxCode[17] = Integer.MAX_VALUE;
            table.runs(first);
            return table;
        }

        /**
         * Fills {@link #lookup} from each lookahead's first symbol. The run in the first m bits of a lookahead is its
         * first symbol followed by the run in the m - t bits after that symbol's t bits, so runs are built for m = 1,
         * 2, ... up to the lookahead, each from shorter ones: twice the lookahead's size in steps.
         */
        private void runs(int[] first) {
            int[] shorter = {0}; // the runs in 0 bits: none
            int[][] runs = new int[LOOKAHEAD + 1][];
            runs[0] = shorter;
            for (int m = 1; m <= LOOKAHEAD; m++) {
                int[] run = m == LOOKAHEAD ? lookup : new int[1 << m];
                for (int value = 0; value < run.length; value++) {
                    int step = first[value << (LOOKAHEAD - m)];
                    int length = step & BITS_MASK;
                    if (step == 0 || length > m) {
                        continue; // the first symbol does not fit: no run
                    }
                    if (dc || (step & BLOCK_ENDS) != 0) {
                        run[value] = step; // AC codes follow a DC code, from another table
                        continue;
                    }
                    int rest = runs[m - length][value & ((1 << (m - length)) - 1)];
                    int advance = Math.min(ADVANCE_MASK, (step >>> ADVANCE_SHIFT) + (rest >>> ADVANCE_SHIFT & ADVANCE_MASK));
                    run[value] = length + (rest & BITS_MASK) | advance << ADVANCE_SHIFT | rest & BLOCK_ENDS;
                }
                runs[m] = run;
            }
            for (int value = 0; value < LOOKAHEAD_SIZE; value++) {
                // No run at all must never be taken: it advances as far as a run that would pass the block's end.
                int run = lookup[value] == 0 ? ADVANCE_MASK << ADVANCE_SHIFT : lookup[value];
                lookup[value] = run | first[value] << SINGLE_SHIFT;
            }
        }
    }
}

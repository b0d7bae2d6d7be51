package org.mjpegserver.bench;

/**
 * A floor for {@code ValidationCost}: the plainest decode of every Huffman code in a baseline JPEG, one bit at a
 * time against each code length's largest code, as the JPEG standard's flow charts describe it. It trusts its input
 * (the benchmark's own frames: one interleaved scan, no restart intervals) and checks nothing.
 */
final class PlainHuffmanPass {

    private final byte[] data;
    private int pos;
    private int bitsLeft;
    private int current;
    private final int[][] maxCode = new int[8][17];
    private final int[][] valueIndex = new int[8][17];
    private final int[][] minCode = new int[8][17];
    private final int[][] symbols = new int[8][256];

    private PlainHuffmanPass(byte[] data) {
        this.data = data;
    }

    /** The number of blocks decoded. */
    static long run(byte[] jpeg) {
        return new PlainHuffmanPass(jpeg).blocks();
    }

    private long blocks() {
        int width = 0;
        int height = 0;
        int[] sampling = new int[0];
        pos = 2;
        while (true) {
            int marker = data[pos + 1] & 0xff;
            int length = u16(pos + 2);
            if (marker == 0xC0) {
                height = u16(pos + 5);
                width = u16(pos + 7);
                sampling = new int[data[pos + 9]];
                for (int c = 0; c < sampling.length; c++) {
                    sampling[c] = data[pos + 11 + 3 * c] & 0xff;
                }
            } else if (marker == 0xC4) {
                tables(pos + 4, pos + 2 + length);
            } else if (marker == 0xDA) {
                int[] dc = new int[sampling.length];
                int[] ac = new int[sampling.length];
                for (int c = 0; c < sampling.length; c++) {
                    int selectors = data[pos + 6 + 2 * c] & 0xff;
                    dc[c] = selectors >> 4;
                    ac[c] = 4 + (selectors & 3);
                }
                pos += 2 + length;
                return scan(width, height, sampling, dc, ac);
            }
            pos += 2 + length;
        }
    }

    private void tables(int at, int end) {
        while (at < end) {
            int table = (data[at] >> 4) * 4 + (data[at] & 3);
            int index = 0;
            int code = 0;
            for (int length = 1; length <= 16; length++) {
                int count = data[at + length] & 0xff;
                valueIndex[table][length] = index;
                minCode[table][length] = code;
                code += count;
                index += count;
                maxCode[table][length] = count == 0 ? -1 : code - 1;
                code <<= 1;
            }
            System.arraycopy(toInts(data, at + 17, index), 0, symbols[table], 0, index);
            at += 17 + index;
        }
    }

    private long scan(int width, int height, int[] sampling, int[] dc, int[] ac) {
        int maxH = 1;
        int maxV = 1;
        for (int s : sampling) {
            maxH = Math.max(maxH, s >> 4);
            maxV = Math.max(maxV, s & 15);
        }
        long mcus = (long) ((width + 8 * maxH - 1) / (8 * maxH)) * ((height + 8 * maxV - 1) / (8 * maxV));
        long blocks = 0;
        for (long mcu = 0; mcu < mcus; mcu++) {
            for (int c = 0; c < sampling.length; c++) {
                for (int b = (sampling[c] >> 4) * (sampling[c] & 15); b > 0; b--) {
                    skip(decode(dc[c]));
                    for (int k = 1; k < 64; k++) {
                        int rs = decode(ac[c]);
                        if ((rs & 15) == 0) {
                            if (rs != 0xF0) {
                                break;
                            }
                            k += 15;
                        } else {
                            k += rs >> 4;
                            skip(rs & 15);
                        }
                    }
                    blocks++;
                }
            }
        }
        return blocks;
    }

    private int decode(int table) {
        int code = bit();
        int length = 1;
        while (code > maxCode[table][length]) {
            code = (code << 1) | bit();
            length++;
        }
        return symbols[table][valueIndex[table][length] + code - minCode[table][length]];
    }

    private void skip(int bits) {
        for (int i = 0; i < bits; i++) {
            bit();
        }
    }

    private int bit() {
        if (bitsLeft == 0) {
            current = data[pos++] & 0xff;
            if (current == 0xff) {
                pos++; // the stuffed zero
            }
            bitsLeft = 8;
        }
        bitsLeft--;
        return (current >> bitsLeft) & 1;
    }

    private int u16(int at) {
        return (data[at] & 0xff) << 8 | (data[at + 1] & 0xff);
    }

    private static int[] toInts(byte[] bytes, int at, int count) {
        int[] ints = new int[count];
        for (int i = 0; i < count; i++) {
            ints[i] = bytes[at + i] & 0xff;
        }
        return ints;
    }
}

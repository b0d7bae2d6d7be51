package org.mjpegserver.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mjpegserver.image.JpegCorpus.DHT;
import static org.mjpegserver.image.JpegCorpus.DQT;
import static org.mjpegserver.image.JpegCorpus.SOF0;
import static org.mjpegserver.image.JpegCorpus.SOS;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.mjpegserver.config.ImageSettings;
import org.mjpegserver.image.JpegCorpus.Options;
import org.mjpegserver.testing.TestImages;

/**
 * {@code valid_jpeg}'s fast path must refuse exactly what the full decode refuses. Every case here is judged twice,
 * by today's check (framing, then the full decode) and by the new one (framing, then {@link JpegScan}, then the full
 * decode where the scan cannot decide), and the verdicts must agree; where the scan decided alone, its verdict must
 * be the full decode's too.
 */
final class JpegScanTest {

    private static final long MAX_PIXELS = ImageSettings.DEFAULTS.maxImagePixels();

    /** Valid frames of the kinds cameras send, each of which the scan must decide on its own. */
    static Map<String, byte[]> cameraFrames() {
        Map<String, byte[]> frames = new LinkedHashMap<>();
        frames.put("4:2:0 320x240", JpegCorpus.encode(320, 240, 1, Options.colour(2, 2)));
        frames.put("4:2:2 160x120", JpegCorpus.encode(160, 120, 2, Options.colour(2, 1)));
        frames.put("4:4:4 96x64", JpegCorpus.encode(96, 64, 3, Options.colour(1, 1)));
        frames.put("4:4:0 64x48", JpegCorpus.encode(64, 48, 4, Options.colour(1, 2)));
        frames.put("grey 100x75", JpegCorpus.encode(100, 75, 5, Options.greyscale()));
        frames.put("4:2:0 restart every MCU", JpegCorpus.encode(48, 32, 6, Options.colour(2, 2).restarts(1)));
        frames.put("4:2:0 restart every 5 MCUs", JpegCorpus.encode(200, 120, 7, Options.colour(2, 2).restarts(5)));
        frames.put("4:2:2 restart every 7 MCUs", JpegCorpus.encode(131, 77, 8, Options.colour(2, 1).restarts(7)));
        frames.put("grey restart every 3", JpegCorpus.encode(57, 41, 9, Options.greyscale().restarts(3)));
        frames.put("optimised tables 4:2:0", JpegCorpus.encode(150, 90, 10, Options.colour(2, 2).optimizedTables()));
        frames.put("optimised tables grey", JpegCorpus.encode(80, 60, 11, Options.greyscale().optimizedTables()));
        for (int[] size : new int[][] {{1, 1}, {7, 9}, {17, 9}, {33, 17}, {15, 16}, {641, 19}}) {
            frames.put("odd size " + size[0] + "x" + size[1],
                    JpegCorpus.encode(size[0], size[1], size[0] * 31L + size[1], Options.colour(2, 2)));
        }
        frames.put("odd size grey 9x13", JpegCorpus.encode(9, 13, 12, Options.greyscale()));
        byte[] plain = JpegCorpus.encode(120, 80, 13, Options.colour(2, 2));
        byte[] exif = JpegCorpus.exifSegment();
        frames.put("EXIF after JFIF", JpegCorpus.insert(plain, JpegCorpus.segments(plain).get(1), exif));
        frames.put("EXIF instead of JFIF", JpegCorpus.insert(JpegCorpus.remove(plain, 2, 18), 2, exif));
        frames.put("APP12 and a comment", JpegCorpus.insert(plain, JpegCorpus.firstSegment(plain, SOF0),
                concat(JpegCorpus.segment(0xEC, "Ducky camera 7".getBytes()), JpegCorpus.segment(0xFE, "Channel 1".getBytes()))));
        frames.put("trailing CRLF", concat(plain, "\r\n".getBytes()));
        frames.put("test image", TestImages.jpeg(320, 240, "cam"));
        return frames;
    }

    @Test
    void everyKindOfCameraFrameIsAcceptedByTheScanAlone() {
        for (Map.Entry<String, byte[]> frame : cameraFrames().entrySet()) {
            byte[] jpeg = frame.getValue();
            assertNull(fullVerdict(jpeg), frame.getKey() + ": the full decode accepts it");
            assertEquals(JpegScan.Verdict.VALID, scan(jpeg), frame.getKey());
            assertNull(newVerdict(jpeg), frame.getKey());
        }
    }

    @Test
    void framesWithoutHuffmanTablesAreLeftToTheFullDecoder() {
        // MJPEG cameras may leave the tables out, as AVI's MJPEG allows. Debian's JDK decodes such frames with the
        // standard tables (libjpeg-turbo), the JDK's own libjpeg (as in Temurin) refuses them: the decoder judges.
        byte[] jpeg = JpegCorpus.encode(120, 80, 16, Options.colour(2, 2));
        byte[] withoutTables = removeSegments(jpeg, DHT);
        assertEquals(JpegScan.Verdict.UNDECIDED, scan(withoutTables));
        assertEquals(fullVerdict(withoutTables), newVerdict(withoutTables));
    }

    @Test
    void progressiveAndCmykFramesAreLeftToTheFullDecoder() {
        Map<String, byte[]> frames = Map.of(
                "progressive", JpegCorpus.encode(120, 90, 14, Options.progressiveColour()),
                "CMYK with Adobe segment", TestImages.cmykJpeg(64, 32));
        for (Map.Entry<String, byte[]> frame : frames.entrySet()) {
            assertEquals(JpegScan.Verdict.UNDECIDED, scan(frame.getValue()), frame.getKey());
            assertNull(fullVerdict(frame.getValue()), frame.getKey());
            assertNull(newVerdict(frame.getValue()), frame.getKey());
        }
        byte[] progressive = frames.get("progressive");
        byte[] cut = JpegCorpus.withEoi(Arrays.copyOf(progressive, progressive.length * 2 / 3));
        assertNotNull(fullVerdict(cut));
        assertNotNull(newVerdict(cut), "a cut progressive frame is refused, by the full decoder");
    }

    @Test
    void damagedFramesGetTheFullDecodersVerdict() {
        Tally tally = new Tally();
        for (byte[] base : damageBases()) {
            for (Map.Entry<String, byte[]> damaged : damaged(base).entrySet()) {
                tally.judge(damaged.getKey(), damaged.getValue());
            }
        }
        tally.assertAgreed();
        // Damage to headers, a third of the corpus, is left to the full decoder, which refuses it before decoding a pixel.
        assertTrue(tally.decidedRefusals + tally.decidedAccepts > tally.framed * 2 / 5, tally.toString());
    }

    @Test
    void theScanAloneRefusesACutScanAndRestartMarkersOutOfOrder() {
        for (byte[] jpeg : damageBases()) {
            int scanData = JpegCorpus.scanData(jpeg);
            for (int i = 0; i < 10; i++) {
                int at = scanData + i * (jpeg.length - 2 - scanData) / 10;
                byte[] cut = JpegCorpus.withEoi(Arrays.copyOf(jpeg, at));
                assertEquals(JpegScan.Verdict.ENDS_EARLY, scan(cut), "cut at " + at + " of " + jpeg.length);
                assertEquals(JpegScan.Verdict.ENDS_EARLY.damage, newVerdict(cut));
                assertNotNull(fullVerdict(cut));
            }
            List<Integer> restarts = JpegCorpus.restartMarkers(jpeg);
            if (!restarts.isEmpty()) {
                int last = restarts.get(restarts.size() - 1);
                byte[] renumbered = edit(jpeg, b -> {
                    b[last + 1] = (byte) (0xD0 | ((b[last + 1] + 3) & 7));
                    return b;
                });
                assertEquals(JpegScan.Verdict.RESTART_OUT_OF_ORDER, scan(renumbered));
                assertNotNull(fullVerdict(renumbered));
            }
        }
    }

    @Test
    void seededRandomMutationsGetTheFullDecodersVerdict() {
        Tally tally = new Tally();
        Random random = new Random(20261207);
        List<byte[]> bases = damageBases();
        assertTimeoutPreemptively(Duration.ofMinutes(3), () -> {
            for (int i = 0; i < 3000; i++) {
                byte[] base = bases.get(i % bases.size());
                byte[] mutated = mutate(base, random);
                tally.judge("mutation " + i, mutated);
            }
        });
        tally.assertAgreed();
        assertTrue(tally.decidedRefusals > 0 && tally.decidedAccepts > 0, tally.toString());
    }

    @Test
    void hostileBodiesAreAnsweredAsTheFullDecoderDoesAndQuickly() {
        byte[] small = JpegCorpus.encode(64, 48, 15, Options.colour(2, 2));
        byte[] random20Mb = new byte[20 * 1024 * 1024];
        new Random(7).nextBytes(random20Mb);
        Map<String, byte[]> bodies = new LinkedHashMap<>();
        bodies.put("0 bytes", new byte[0]);
        bodies.put("PNG named .jpg", TestImages.png(64, 48, "png"));
        bodies.put("65535x65535 declared", TestImages.jpegDeclaring(65535, 65535));
        bodies.put("random bytes after SOI", concat(new byte[] {(byte) 0xFF, (byte) 0xD8}, Arrays.copyOf(random20Mb, 65536),
                new byte[] {(byte) 0xFF, (byte) 0xD9}));
        bodies.put("20 MB of random scan data", JpegCorpus.withEoi(concat(Arrays.copyOf(small, JpegCorpus.scanData(small)), random20Mb)));
        bodies.put("20 MB of zero scan data", JpegCorpus.withEoi(concat(Arrays.copyOf(small, JpegCorpus.scanData(small)),
                new byte[20 * 1024 * 1024])));
        for (Map.Entry<String, byte[]> body : bodies.entrySet()) {
            assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
                String full = fullVerdict(body.getValue());
                String fast = newVerdict(body.getValue());
                assertNotNull(full, body.getKey());
                assertNotNull(fast, body.getKey());
            }, body.getKey());
        }
        assertTrue(newVerdict(bodies.get("65535x65535 declared")).contains("65535x65535"), "refused for its size, as before");
    }

    // ---------------------------------------------------------------- corpus

    private static List<byte[]> damageBases() {
        return List.of(
                JpegCorpus.encode(96, 64, 21, Options.colour(2, 2)),
                JpegCorpus.encode(80, 48, 22, Options.colour(2, 1).restarts(3)),
                JpegCorpus.encode(40, 24, 23, Options.greyscale().restarts(2)),
                JpegCorpus.encode(33, 17, 24, Options.colour(1, 1).optimizedTables()),
                JpegCorpus.encode(64, 64, 25, Options.colour(2, 2).restarts(1)));
    }

    private static Map<String, byte[]> damaged(byte[] jpeg) {
        Map<String, byte[]> cases = new LinkedHashMap<>();
        int scanData = JpegCorpus.scanData(jpeg);
        for (int i = 1; i <= 24; i++) {
            int at = i * (jpeg.length - 2) / 25;
            cases.put("cut at " + at, Arrays.copyOf(jpeg, at));
            cases.put("cut at " + at + " + EOI", JpegCorpus.withEoi(Arrays.copyOf(jpeg, at)));
        }
        for (int at : new int[] {scanData - 1, scanData, scanData + 1, jpeg.length - 3, jpeg.length - 4}) {
            cases.put("cut near " + at + " + EOI", JpegCorpus.withEoi(Arrays.copyOf(jpeg, at)));
        }
        cases.put("missing EOI", Arrays.copyOf(jpeg, jpeg.length - 2));
        Random random = new Random(jpeg.length);
        for (int i = 0; i < 30; i++) {
            int at = scanData + random.nextInt(jpeg.length - 2 - scanData);
            cases.put("bit flip at " + at, edit(jpeg, b -> {
                b[at] ^= (byte) (1 << random.nextInt(8));
                return b;
            }));
        }
        for (int i = 0; i < 5; i++) {
            int at = scanData + random.nextInt(jpeg.length - 2 - scanData);
            cases.put("RST3 inserted at " + at, JpegCorpus.insert(jpeg, at, new byte[] {(byte) 0xFF, (byte) 0xD3}));
            cases.put("byte inserted at " + at, JpegCorpus.insert(jpeg, at, new byte[] {(byte) 0x5A}));
            cases.put("byte removed at " + at, JpegCorpus.remove(jpeg, at, 1));
        }
        cases.put("extra bytes before EOI", JpegCorpus.insert(jpeg, jpeg.length - 2, new byte[] {0x12, 0x34}));
        cases.put("extra byte before EOI", JpegCorpus.insert(jpeg, jpeg.length - 2, new byte[] {0x12}));
        cases.put("fill bytes before EOI", JpegCorpus.insert(jpeg, jpeg.length - 2, new byte[] {(byte) 0xFF, (byte) 0xFF}));
        cases.put("second image after EOI", concat(jpeg, jpeg));
        cases.put("garbage between two EOIs", concat(jpeg, new byte[] {1, 2, 3, (byte) 0xFF, (byte) 0xD9}));
        for (int segment : JpegCorpus.segments(jpeg)) {
            int marker = jpeg[segment + 1] & 0xFF;
            for (int delta : new int[] {-2, -1, 1, 2, 200}) {
                cases.put(String.format("segment %X length %+d", marker, delta), edit(jpeg, b -> {
                    int length = ((b[segment + 2] & 0xFF) << 8 | (b[segment + 3] & 0xFF)) + delta;
                    b[segment + 2] = (byte) (length >> 8);
                    b[segment + 3] = (byte) length;
                    return b;
                }));
            }
            cases.put(String.format("segment %X length 0", marker), edit(jpeg, b -> {
                b[segment + 2] = 0;
                b[segment + 3] = 0;
                return b;
            }));
        }
        int dht = JpegCorpus.firstSegment(jpeg, DHT);
        cases.put("Huffman table over-subscribed", edit(jpeg, b -> {
            b[dht + 5] = (byte) ((b[dht + 5] & 0xFF) + 1);
            return b;
        }));
        cases.put("Huffman table short one code", edit(jpeg, b -> {
            b[dht + 20] = (byte) ((b[dht + 20] & 0xFF) - 1);
            return b;
        }));
        cases.put("Huffman table counts over 256", edit(jpeg, b -> {
            b[dht + 12] = (byte) 0xF0;
            return b;
        }));
        cases.put("Huffman DC symbol 16", edit(jpeg, b -> {
            b[dht + 21] = 16;
            return b;
        }));
        cases.put("Huffman symbols swapped", edit(jpeg, b -> {
            byte first = b[dht + 21];
            b[dht + 21] = b[dht + 23];
            b[dht + 23] = first;
            return b;
        }));
        cases.put("Huffman table class 2", edit(jpeg, b -> {
            b[dht + 4] = 0x20;
            return b;
        }));
        cases.put("Huffman table id 5", edit(jpeg, b -> {
            b[dht + 4] = 0x05;
            return b;
        }));
        cases.put("no Huffman tables", removeSegments(jpeg, DHT));
        int dhtEnd = dht + 2 + ((jpeg[dht + 2] & 0xFF) << 8 | (jpeg[dht + 3] & 0xFF));
        for (int table = dht + 4; table < dhtEnd; ) {
            int header = table;
            cases.put(String.format("Huffman table %02X renumbered to id 3", jpeg[header]), edit(jpeg, b -> {
                b[header] |= 3;
                return b;
            }));
            int symbols = 0;
            for (int i = 1; i <= 16; i++) {
                symbols += jpeg[table + i] & 0xFF;
            }
            table += 17 + symbols;
        }
        int dqt = JpegCorpus.firstSegment(jpeg, DQT);
        cases.put("quantisation entry 0", edit(jpeg, b -> {
            b[dqt + 10] = 0;
            return b;
        }));
        cases.put("quantisation precision 16 bits", edit(jpeg, b -> {
            b[dqt + 4] |= 0x10;
            return b;
        }));
        cases.put("quantisation table id 4", edit(jpeg, b -> {
            b[dqt + 4] = 0x04;
            return b;
        }));
        cases.put("no quantisation tables", removeSegments(jpeg, DQT));
        int sof = JpegCorpus.firstSegment(jpeg, SOF0);
        cases.put("frame 8 rows taller", edit(jpeg, b -> {
            b[sof + 6] += 8;
            return b;
        }));
        cases.put("frame 16 columns narrower", edit(jpeg, b -> {
            b[sof + 8] -= 16;
            return b;
        }));
        cases.put("frame height 0", edit(jpeg, b -> {
            b[sof + 5] = 0;
            b[sof + 6] = 0;
            return b;
        }));
        cases.put("luma sampling changed", edit(jpeg, b -> {
            b[sof + 11] = (byte) ((b[sof + 11] & 0xFF) == 0x11 ? 0x22 : 0x11);
            return b;
        }));
        cases.put("12-bit samples", edit(jpeg, b -> {
            b[sof + 4] = 12;
            return b;
        }));
        cases.put("marked progressive", edit(jpeg, b -> {
            b[sof + 1] = (byte) 0xC2;
            return b;
        }));
        cases.put("marked arithmetic", edit(jpeg, b -> {
            b[sof + 1] = (byte) 0xC9;
            return b;
        }));
        int sos = JpegCorpus.firstSegment(jpeg, SOS);
        cases.put("scan uses undefined tables", edit(jpeg, b -> {
            b[sos + 6] = 0x33;
            return b;
        }));
        cases.put("scan ends at coefficient 62", edit(jpeg, b -> {
            b[scanData - 2] = 62;
            return b;
        }));
        cases.put("scan names another component", edit(jpeg, b -> {
            b[sos + 5] = 9;
            return b;
        }));
        List<Integer> restarts = JpegCorpus.restartMarkers(jpeg);
        if (restarts.size() >= 3) {
            int second = restarts.get(1);
            cases.put("restart markers swapped", edit(jpeg, b -> {
                byte marker = b[restarts.get(0) + 1];
                b[restarts.get(0) + 1] = b[second + 1];
                b[second + 1] = marker;
                return b;
            }));
            cases.put("restart marker renumbered", edit(jpeg, b -> {
                b[second + 1] = (byte) (0xD0 | ((b[second + 1] + 1) & 7));
                return b;
            }));
            cases.put("restart marker missing", JpegCorpus.remove(jpeg, second, 2));
            cases.put("restart marker doubled", JpegCorpus.insert(jpeg, second, Arrays.copyOfRange(jpeg, second, second + 2)));
            cases.put("restart interval's data missing", JpegCorpus.remove(jpeg, restarts.get(0), second - restarts.get(0)));
            cases.put("byte before a restart marker", JpegCorpus.insert(jpeg, second, new byte[] {0x01}));
            cases.put("restart marker after the last block", JpegCorpus.insert(jpeg, jpeg.length - 2,
                    new byte[] {(byte) 0xFF, (byte) (0xD0 | (restarts.size() & 7))}));
            int dri = JpegCorpus.firstSegment(jpeg, 0xDD);
            cases.put("restart interval off by one", edit(jpeg, b -> {
                b[dri + 5] += 1;
                return b;
            }));
            cases.put("restart interval removed", removeSegments(jpeg, 0xDD));
        }
        return cases;
    }

    /** One random change, of the kinds networks and broken encoders make. */
    private static byte[] mutate(byte[] jpeg, Random random) {
        int at = 2 + random.nextInt(jpeg.length - 4);
        switch (random.nextInt(7)) {
            case 0:
                return edit(jpeg, b -> {
                    b[at] ^= (byte) (1 << random.nextInt(8));
                    return b;
                });
            case 1:
                return edit(jpeg, b -> {
                    b[at] = (byte) random.nextInt(256);
                    return b;
                });
            case 2:
                return JpegCorpus.remove(jpeg, at, 1 + random.nextInt(Math.min(8, jpeg.length - 2 - at)));
            case 3:
                return JpegCorpus.insert(jpeg, at, new byte[] {(byte) random.nextInt(256)});
            case 4:
                return JpegCorpus.withEoi(Arrays.copyOf(jpeg, at));
            case 5:
                return JpegCorpus.insert(jpeg, at, new byte[] {(byte) 0xFF, (byte) (0xC0 + random.nextInt(64))});
            default:
                byte[] twice = edit(jpeg, b -> {
                    b[at] ^= (byte) (1 << random.nextInt(8));
                    return b;
                });
                int other = 2 + random.nextInt(jpeg.length - 4);
                twice[other] = (byte) random.nextInt(256);
                return twice;
        }
    }

    private static byte[] removeSegments(byte[] jpeg, int marker) {
        byte[] out = jpeg;
        while (true) {
            int found = -1;
            for (int s : JpegCorpus.segments(out)) {
                if ((out[s + 1] & 0xFF) == marker) {
                    found = s;
                    break;
                }
            }
            if (found < 0) {
                return out;
            }
            out = JpegCorpus.remove(out, found, 2 + ((out[found + 2] & 0xFF) << 8 | (out[found + 3] & 0xFF)));
        }
    }

    // ---------------------------------------------------------------- verdicts

    /** Counts the cases and which of them the scan settled alone, collecting every disagreement. */
    private static final class Tally {
        int cases;
        /** Cases past the framing check, which the scan sees. */
        int framed;
        int decidedRefusals;
        int decidedAccepts;
        final List<String> disagreements = new ArrayList<>();

        void judge(String name, byte[] body) {
            cases++;
            String full = fullVerdict(body);
            String fast = newVerdict(body);
            if ((full == null) != (fast == null)) {
                disagreements.add(name + ": full decode " + describe(full) + ", new check " + describe(fast));
            }
            JpegScan.Verdict verdict = scan(body);
            if (verdict == JpegScan.Verdict.UNDECIDED && System.getProperty("jpegscan.undecided") != null) {
                System.out.println("undecided: " + name + ", full decode " + describe(full));
            }
            if (verdict != null) {
                framed++;
            }
            if (verdict == JpegScan.Verdict.VALID) {
                decidedAccepts++;
            } else if (verdict != null && verdict.damage != null) {
                decidedRefusals++;
            }
        }

        void assertAgreed() {
            assertTrue(disagreements.isEmpty(), disagreements.size() + " of " + cases + " disagree:\n"
                    + String.join("\n", disagreements));
        }

        @Override
        public String toString() {
 return cases + " cases, " + framed + " past the framing check; the scan alone refused " + decidedRefusals + " and accepted " + decidedAccepts;
        }

        private static String describe(String verdict) {
            return verdict == null ? "accepts" : "refuses (" + verdict + ")";
        }
    }

    /** Today's valid_jpeg: the framing check, then the full decode. */
    private static String fullVerdict(byte[] body) {
        try {
            FrameValidator.checkJpegFraming(body);
            JpegCodec.verifyJpeg(body, MAX_PIXELS);
            return null;
        } catch (InvalidImageException e) {
            return e.getMessage();
        }
    }

    private static String newVerdict(byte[] body) {
        try {
            FrameValidator.verifyJpeg(body, MAX_PIXELS);
            return null;
        } catch (InvalidImageException e) {
            return e.getMessage();
        }
    }

    /** The scan's own verdict, or null where the framing check refuses before it runs. */
    private static JpegScan.Verdict scan(byte[] body) {
        try {
            return JpegScan.check(body, FrameValidator.checkJpegFraming(body), MAX_PIXELS);
        } catch (InvalidImageException e) {
            return null;
        }
    }

    private static byte[] edit(byte[] jpeg, UnaryOperator<byte[]> change) {
        return change.apply(jpeg.clone());
    }

    private static byte[] concat(byte[]... parts) {
        int length = 0;
        for (byte[] part : parts) {
            length += part.length;
        }
        byte[] out = new byte[length];
        int at = 0;
        for (byte[] part : parts) {
            System.arraycopy(part, 0, out, at, part.length);
            at += part.length;
        }
        return out;
    }
}

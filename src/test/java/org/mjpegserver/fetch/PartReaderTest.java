package org.mjpegserver.fetch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.mjpegserver.fetch.SlicedInputStream.Slicing;
import org.mjpegserver.testing.TestImages;

/**
 * The part reader against the bytes real cameras send (each case names its device and where its format is
 * documented; see the research notes on MJPEG streams), every body read whole, a byte at a time, in random
 * slices and split at every offset, and against hostile upstreams.
 */
final class PartReaderTest {

    private static final long MAX = 1 << 20;
    private static final byte[] F1 = frame(1);
    private static final byte[] F2 = frame(2);
    private static final byte[] F3 = frame(3);
    private static final byte[] F4 = frame(4);

    // ---- boundary parameter

    /** ESP32 CameraWebServer: a CRLF before every delimiter (so the body starts with one), no delimiter at the end. */
    @Test
    void esp32CrlfBeforeEveryDelimiter() throws IOException {
        String b = "123456789000000000000987654321";
        byte[] body = cat(esp32Part(b, F1), esp32Part(b, F2), esp32Part(b, F3));
        assertImages("multipart/x-mixed-replace;boundary=" + b, body, F1, F2, F3);
    }

    /** mjpg-streamer: a delimiter right after the headers, then part, CRLF, delimiter; HTTP/1.0 ends at close. */
    @Test
    void mjpgStreamerDelimiterAfterEveryPart() throws IOException {
        String b = "boundarydonotcross";
        List<Object> pieces = new ArrayList<>(List.of("--" + b + "\r\n"));
        for (byte[] f : List.of(F1, F2, F3)) {
            pieces.addAll(List.of("Content-Type: image/jpeg\r\nContent-Length: " + f.length
                    + "\r\nX-Timestamp: 1712345678.123456\r\n\r\n", f, "\r\n--" + b + "\r\n"));
        }
        assertImages("multipart/x-mixed-replace;boundary=" + b, body(pieces.toArray()), F1, F2, F3);
    }

    /** Motion: "Content-type" in lower case, Content-Length padded by %9d; Motion 4.1 pads to 16 characters. */
    @Test
    void motionPaddedContentLength() throws IOException {
        byte[] body = body(
                "--BoundaryString\r\nContent-type: image/jpeg\r\nContent-Length: " + String.format("%9d", F1.length) + "\r\n\r\n", F1, "\r\n",
                "--BoundaryString\r\nContent-type: image/jpeg\r\nContent-Length:" + String.format("%16d", F2.length) + "\r\n\r\n", F2, "\r\n");
        assertImages("multipart/x-mixed-replace; boundary=BoundaryString", body, F1, F2);
    }

    /** Panasonic nphMotionJpeg (node-mjpeg-proxy#5): the parameter already carries "--", the delimiter equals it. */
    @Test
    void panasonicBoundaryWithLeadingDashes() throws IOException {
        byte[] body = body(
                "--myboundary\r\nContent-length: " + F1.length + "\r\nContent-type: image/jpeg\r\n\r\n", F1, "\r\n",
                "--myboundary\r\nContent-length: " + F2.length + "\r\nContent-type: image/jpeg\r\n\r\n", F2, "\r\n");
        assertImages("multipart/x-mixed-replace; boundary=--myboundary", body, F1, F2);
    }

    /** Lumenera and AVTech DVRs quote the boundary (Motion's netcam code strips the quotes). */
    @Test
    void quotedBoundary() throws IOException {
        byte[] body = cat(withLength("--myboundary", "image/jpeg", F1), withLength("--myboundary", "image/jpeg", F2));
        assertImages("multipart/x-mixed-replace; boundary=\"myboundary\"", body, F1, F2);
    }

    /**
     * TP-Link Kasa (go2rtc#545): boundary "data-boundary--", so every delimiter line looks like a close delimiter
     * and is not one; H.264 and audio parts between the images, whose payload may hold the delimiter itself.
     */
    @Test
    void kasaBoundaryEndingInDashes() throws IOException {
        String d = "--data-boundary--";
        byte[] h264 = body(new byte[] {0, 0, 0, 1, 0x67}, "\r\n" + d + "\r\n", new byte[] {0x42, 0, 0x1f});
        byte[] audio = new byte[160];
        new Random(7).nextBytes(audio);
        byte[] body = cat(kasaPart(d, "video/x-h264", h264), kasaPart(d, "image/jpeg", F1),
                kasaPart(d, "audio/g711u", audio), kasaPart(d, "image/jpeg", F2), kasaPart(d, "video/x-h264", h264));
        assertImages("multipart/x-mixed-replace;boundary=data-boundary--", body, F1, F2);
    }

    /** A multipart Content-Type without a boundary parameter: the first line of the body tells it. */
    @Test
    void boundaryLearntFromTheBody() throws IOException {
        byte[] body = cat(withLength("--abc", "image/jpeg", F1), withLength("--abc", "image/jpeg", F2), body("--abc--\r\n"));
        assertImages("multipart/x-mixed-replace", body, F1, F2);
        assertImages("multipart/x-mixed-replace; boundary=", body, F1, F2);
        // A body that is not labelled multipart but starts like one (after blank lines) is read as one.
        assertImages("image/jpeg", cat(body("\r\n\r\n"), body), F1, F2);
        assertImages(null, body, F1, F2);
    }

    /** Labelled multipart, but a run of bare JPEGs: read as the run it is. */
    @Test
    void multipartLabelOnRawJpegs() throws IOException {
        assertImages("multipart/x-mixed-replace;boundary=frame", cat(F1, F2, F3), F1, F2, F3);
    }

    /**
     * A frame is returned as soon as its last byte has arrived, never waiting for the next frame's delimiter:
     * the body here fails any read past the bytes a device sends with the first frame.
     */
    @Test
    void frameReturnedWithoutWaitingForTheNext() throws IOException, FetchException {
        String b = "123456789000000000000987654321";
        assertReturnedAt("multipart/x-mixed-replace;boundary=" + b, esp32Part(b, F1)); // ESP32: CL, next "\r\n--" comes later
        assertReturnedAt("multipart/x-mixed-replace; boundary=frame", body("--frame\r\nContent-Type: image/jpeg\r\n\r\n", F1, "\r\n")); // Flask
        assertReturnedAt("multipart/x-mixed-replace; boundary=f", body("--f\r\nContent-Type: image/jpeg\r\n\r\n", F1)); // Go multipart.Writer
        assertReturnedAt("multipart/x-mixed-replace; boundary=frame", body("--frame\nContent-Type: image/jpeg\n\n", F1, "\n-")); // what may start a delimiter
        assertReturnedAt(null, F1); // raw JPEGs
    }

    private static void assertReturnedAt(String contentType, byte[] first) throws IOException, FetchException {
        for (int maxSlice : new int[] {1, 5, 100_000}) {
            InputStream gated = new java.io.SequenceInputStream(SlicedInputStream.randomSlices(first, maxSlice, maxSlice), new InputStream() {
                @Override
                public int read() {
                    throw new AssertionError("read past the first frame");
                }
            });
            PartReader reader = PartReader.open(gated, contentType, MAX);
            assertTrue(reader.next());
            assertArrayEquals(F1, reader.read());
        }
    }

    // ---- where delimiters sit

    /** Tasmota webcam (Tasmota#12376), yoursunny/esp32cam asyncweb: no delimiter before the first part. */
    @Test
    void tasmotaNoInitialDelimiter() throws IOException {
        String b = "e8b8c539-047d-4777-a985-fbba6edff11e";
        List<Object> pieces = new ArrayList<>();
        for (byte[] f : List.of(F1, F2, F3)) {
            pieces.addAll(List.of("Content-Type: image/jpeg\r\nContent-Length: " + f.length + "\r\n\r\n", f, "\r\n--" + b + "\r\n"));
        }
        assertImages("multipart/x-mixed-replace;boundary=" + b, body(pieces.toArray()), F1, F2, F3);
    }

    /** Foscam G2 CGIStream GetMJStream (go2rtc#1258): the delimiter twice in a row, at the start and later. */
    @Test
    void foscamDelimiterTwiceInARow() throws IOException {
        byte[] body = body(
                "--ThisString\r\n--ThisString\r\nContent-type:image/jpeg\r\nContent-Length:" + F1.length + "\r\n\r\n", F1,
                "\r\n--ThisString\r\nContent-type:image/jpeg\r\nContent-Length:" + F2.length + "\r\n\r\n", F2,
                "\r\n--ThisString\r\n--ThisString\r\n--ThisString\r\nContent-type:image/jpeg\r\nContent-Length:" + F3.length + "\r\n\r\n", F3);
        assertImages("multipart/x-mixed-replace;boundary=ThisString", body, F1, F2, F3);
    }

    /** RFC 2046 allows a preamble before the first delimiter; go2rtc errors on it, ffmpeg skips only blank lines. */
    @Test
    void preambleBeforeTheFirstDelimiter() throws IOException {
        byte[] parts = cat(withLength("--frame", "image/jpeg", F1), withLength("--frame", "image/jpeg", F2));
        assertImages("multipart/mixed; boundary=frame",
                cat(body("This is a multi-part message in MIME format.\r\n\r\n"), parts), F1, F2);
        // A preamble line that looks like a header is read as a part without a delimiter, and skipped: no image.
        assertImages("multipart/mixed; boundary=frame", cat(body("Server-Note: warming up\r\n\r\n"), parts), F1, F2);
        assertImages("multipart/mixed; boundary=frame", cat(body("X-Junk: no blank line\r\n"), parts), F1, F2);
    }

    /** Home Assistant's image stream ends with a close delimiter; anything after it (an epilogue) is not read as parts. */
    @Test
    void closeDelimiterEndsTheBody() throws IOException {
        String b = "frame-boundary";
        byte[] body = body("\r\n--" + b + "\r\nContent-Type: image/jpeg\r\nContent-Length: " + F1.length + "\r\n\r\n", F1,
                "\r\n--" + b + "--\r\n", "epilogue\r\n--" + b + "\r\nContent-Type: image/jpeg\r\n\r\n", F2);
        assertImages("multipart/x-mixed-replace; boundary=" + b, body, F1);
        // A close delimiter at the very end, without a line break; and one with the Sercomm manual's trailing spaces.
        assertImages("multipart/x-mixed-replace; boundary=f", cat(withLength("--f", "image/jpeg", F1), body("--f--")), F1);
        assertImages("multipart/x-mixed-replace; boundary=f", cat(withLength("--f", "image/jpeg", F1), body("--f--  \r\n")), F1);
    }

    // ---- parts without Content-Length

    /** Flask tutorials: no Content-Length, and a blank line after each JPEG; the frame ends at its EOI. */
    @Test
    void flaskWithoutContentLengthAndBlankLines() throws IOException {
        List<Object> pieces = new ArrayList<>();
        for (byte[] f : List.of(F1, F2, F3)) {
            pieces.addAll(List.of("--frame\r\nContent-Type: image/jpeg\r\n\r\n", f, "\r\n\r\n"));
        }
        assertImages("multipart/x-mixed-replace; boundary=frame", body(pieces.toArray()), F1, F2, F3);
    }

    /** Go's mime/multipart.Writer (go4vl simplecam): "\r\n--b" before every part but the first, no Content-Length. */
    @Test
    void goMultipartWriterWithoutContentLength() throws IOException {
        String b = "3f6c1a0e9b2d47c58e1f0a6b3c9d2e7f8a1b4c5d6e7f8091a2b3c4d5e6f7";
        byte[] body = body("--" + b + "\r\nContent-Type: image/jpeg\r\n\r\n", F1,
                "\r\n--" + b + "\r\nContent-Type: image/jpeg\r\n\r\n", F2,
                "\r\n--" + b + "\r\nContent-Type: image/jpeg\r\n\r\n", F3, "\r\n--" + b + "--\r\n");
        assertImages("multipart/x-mixed-replace; boundary=" + b, body, F1, F2, F3);
    }

    /**
     * A JPEG may hold the delimiter line itself, in a comment or EXIF segment, and an EXIF thumbnail is a whole JPEG
     * with its own EOI: none of it ends the part. Without a Content-Length only the JPEG's structure tells.
     */
    @Test
    void delimiterAndEoiInsideJpegSegmentsAreData() throws IOException {
        byte[] tricky = withExifThumbnail(TestImages.withComment(F1, "before\r\n--frame\r\nContent-Type: text/plain\r\n\r\nafter"), F4);
        byte[] body = body("--frame\r\nContent-Type: image/jpeg\r\n\r\n", tricky, "\r\n--frame\r\nContent-Type: image/jpeg\r\n\r\n", F2, "\r\n");
        assertImages("multipart/x-mixed-replace; boundary=frame", body, tricky, F2);
        assertImages(null, cat(tricky, F2), tricky, F2);
    }

    /** A JPEG cut short in its entropy-coded data, then the next delimiter: the part ends there, the next is whole. */
    @Test
    void truncatedJpegEndsAtTheNextDelimiter() throws IOException {
        byte[] cut = Arrays.copyOf(F1, F1.length - 6);
        byte[] body = body("--frame\r\nContent-Type: image/jpeg\r\n\r\n", cut, "\r\n--frame\r\nContent-Type: image/jpeg\r\n\r\n", F2, "\r\n");
        assertImages("multipart/x-mixed-replace; boundary=frame", body, cut, F2);
        // The same without a line break before the delimiter.
        byte[] tight = body("--frame\r\nContent-Type: image/jpeg\r\n\r\n", cut, "--frame\r\nContent-Type: image/jpeg\r\n\r\n", F2, "\r\n");
        assertImages("multipart/x-mixed-replace; boundary=frame", tight, cut, F2);
    }

    /** A non-JPEG image part without Content-Length ends at the next full delimiter line, not at a bare "\r\n--". */
    @Test
    void nonJpegPartWithoutLengthEndsAtFullDelimiterLine() throws IOException {
        byte[] png = TestImages.png(8, 8, "p");
        byte[] fake = cat(png, body("\r\n--fram\r\n--frame2\r\n--framed\r\n"), png);
        byte[] body = body("--frame\r\nContent-Type: image/png\r\n\r\n", fake, "\r\n--frame\r\nContent-Type: image/jpeg\r\n\r\n", F2, "\r\n--frame--\r\n");
        assertImages("multipart/x-mixed-replace; boundary=frame", body, fake, F2);
    }

    // ---- Content-Length present

    /** A Content-Length is trusted; what follows it up to the next delimiter (here, a camera's trailing junk) is passed over. */
    @Test
    void contentLengthTrustedAndWhateverFollowsPassedOver() throws IOException {
        byte[] body = body("--frame\r\nContent-Type: image/jpeg\r\nContent-Length: " + F1.length + "\r\n\r\n", F1,
                new byte[] {0, 0, 0, 0}, "junk\r\n\r\n--frame\r\nContent-Type: image/jpeg\r\nContent-Length: " + (F2.length - 3) + "\r\n\r\n", F2,
                "\r\n--frame\r\nContent-Type: image/jpeg\r\nContent-Length: " + F3.length + "\r\n\r\n", F3, "\r\n");
        assertImages("multipart/x-mixed-replace; boundary=frame", body, F1, Arrays.copyOf(F2, F2.length - 3), F3);
    }

    /** OpenMV-Netcam: LF-only line endings and the next delimiter right after the JPEG's last byte. */
    @Test
    void openMvLfOnlyAndNoLineBreakAfterTheJpeg() throws IOException {
        List<Object> pieces = new ArrayList<>();
        for (byte[] f : List.of(F1, F2, F3)) {
            pieces.addAll(List.of("--frame\nContent-Type: image/jpeg\nContent-Length: " + f.length + "\n\n", f));
        }
        assertImages("multipart/x-mixed-replace; boundary=frame", body(pieces.toArray()), F1, F2, F3);
        // And an Android CameraPreview app that mixes "\r\n" and "\n" in one header block.
        byte[] mixed = body("--frame\r\nContent-Type: image/jpeg\nContent-Length: " + F1.length + "\r\n\n", F1,
                "\n--frame\nContent-Type: image/jpeg\r\n\r\n", F2, "\n");
        assertImages("multipart/x-mixed-replace; boundary=frame", mixed, F1, F2);
    }

    /** Extra part headers: Axis (Motion-Event, Content-Auth), ESP32 X-Timestamp, Kasa X-UtcTime with no space, D-Link X-Tags. */
    @Test
    void extraHeadersAndHeaderCase() throws IOException {
        byte[] body = body(
                "--myboundary\r\nCONTENT-TYPE: image/jpeg\r\ncontent-length: " + F1.length + "\r\nMotion-Event: 0\r\nContent-Auth: 12ab\r\n\r\n", F1, "\r\n",
                "--myboundary\r\nX-Status: 0\r\nX-Tags: 1\r\nContent-Type:image/jpeg\r\nX-UtcTime:1690526144\r\nContent-Length:\t" + F2.length + " \r\nX-Flags: 3\r\n\r\n", F2, "\r\n");
        assertImages("multipart/x-mixed-replace; boundary=myboundary", body, F1, F2);
    }

    /**
     * Axxon Intellect multipart/mixed with text/xml state parts and X-Width/X-Height/X-Time; Axis DVR text/plain
     * progress; TP-Link image/jpg; a part with no Content-Type is kept when its body starts with SOI.
     */
    @Test
    void nonImagePartsSkippedAndImageJpgKept() throws IOException {
        byte[] xml = body("<?xml version=\"1.0\"?><state><newstate>playing</newstate></state>");
        byte[] body = cat(
                withLength("--videoframe", "text/xml", xml),
                body("--videoframe\r\nContent-Type: image/jpeg\r\nContent-Length: " + F1.length + "\r\nX-Width: 64\r\nX-Height: 48\r\nX-Time: 20240101T000000\r\n\r\n", F1, "\r\n"),
                body("--videoframe\r\nContent-Type: text/plain\r\n\r\nprogress=50\r\n"),
                withLength("--videoframe", "image/jpg", F2),
                body("--videoframe\r\nContent-Length: " + F3.length + "\r\n\r\n", F3, "\r\n"),
                body("--videoframe\r\n\r\nno type and no JPEG\r\n"),
                body("--videoframe\r\n", F4, "\r\n"),
                withLength("--videoframe", "text/xml", body("<state><newstate>closed</newstate></state>")));
        assertImages("multipart/mixed;boundary=videoframe", body, F1, F2, F3, F4);
    }

    // ---- raw JPEG runs

    /** ffmpeg -f mjpeg from v4l2: JPEG after JPEG, junk before the first (go2rtc#747). */
    @Test
    void rawJpegRunWithJunkBeforeTheFirst() throws IOException {
        byte[] junk = body(new byte[] {0, 0, (byte) 0xFF, (byte) 0xD8, 0x12}, "not yet a JPEG\r\n");
        byte[] body = cat(junk, F1, F2, F3);
        assertImages(null, body, F1, F2, F3);
        assertImages("video/x-motion-jpeg", body, F1, F2, F3);
        assertImages("image/jpeg", cat(F1, body("\r\n"), F2), F1, F2);
    }

    /** A JPEG cut short by the next SOI is dropped with a reason, and the next one is read whole. */
    @Test
    void rawRunWithABrokenJpeg() throws IOException, FetchException {
        byte[] body = cat(Arrays.copyOf(F1, F1.length - 6), F2);
        for (Slicing slicing : SlicedInputStream.slicings(body)) {
            PartReader reader = PartReader.open(slicing.stream().get(), null, MAX);
            assertTrue(reader.next());
            FetchException e = assertThrows(FetchException.class, reader::read, slicing.name());
            assertEquals("broken JPEG in the stream: SOI marker inside a JPEG", e.getMessage());
            assertTrue(reader.next(), slicing.name());
            assertArrayEquals(F2, reader.read(), slicing.name());
            assertFalse(reader.next());
        }
    }

    // ---- detection

    @Test
    void bodyKindByContentTypeOrFirstBytes() throws IOException {
        assertEquals(BodyKind.MULTIPART, kind("multipart/x-mixed-replace;boundary=x", new byte[0]));
        assertEquals(BodyKind.MULTIPART, kind("MultiPart/Mixed", new byte[0]));
        assertEquals(BodyKind.MULTIPART, kind("image/jpeg", cat(body("\r\n\r\n"), withLength("--x", "image/jpeg", F1))));
        assertEquals(BodyKind.MULTIPART, kind(null, withLength("--x", "image/jpeg", F1)));
        assertEquals(BodyKind.JPEG_RUN, kind("video/x-motion-jpeg", cat(F1, F2)));
        assertEquals(BodyKind.JPEG_RUN, kind(null, cat(body("junk"), F1, body("\r\n"), F2)));
        assertEquals(BodyKind.SINGLE, kind("image/jpeg", F1));
        assertEquals(BodyKind.SINGLE, kind("image/jpeg", cat(F1, body("\r\n"))));
        assertEquals(BodyKind.SINGLE, kind("image/png", TestImages.png(16, 16, "p")));
        assertEquals(BodyKind.SINGLE, kind("text/html", body("<html><body>login</body></html>")));
        assertEquals(BodyKind.SINGLE, kind("image/jpeg", new byte[0]));
        // A first JPEG larger than the limit is left to the snapshot path, which reports it.
        byte[] big = TestImages.jpeg(640, 480, "big");
        assertEquals(BodyKind.SINGLE, kind("image/jpeg", cat(big, big), big.length - 1));
    }

    @Test
    void bodyKindLeavesTheStreamAtItsStart() throws IOException {
        byte[] blanks = new byte[BodyKind.JUNK_WINDOW];
        Arrays.fill(blanks, (byte) '\n');
        byte[] junk = new byte[BodyKind.JUNK_WINDOW - 10];
        Arrays.fill(junk, (byte) 'j');
        byte[] big = noisyJpeg(4);
        // Every window the detection may pass over, at its largest: it must still reset to the start.
        byte[] widest = cat(blanks, junk, big, blanks, F1);
        Map<byte[], BodyKind> bodies = Map.of(F1, BodyKind.SINGLE, cat(F1, F2), BodyKind.JPEG_RUN,
                withLength("--x", "image/jpeg", F1), BodyKind.MULTIPART, body("hello"), BodyKind.SINGLE, widest, BodyKind.JPEG_RUN);
        for (Map.Entry<byte[], BodyKind> body : bodies.entrySet()) {
            for (int slice : new int[] {100, 70_000}) {
                BufferedInputStream in = new BufferedInputStream(SlicedInputStream.randomSlices(body.getKey(), 5, slice));
                assertEquals(body.getValue(), BodyKind.of("application/octet-stream", in, big.length));
                assertArrayEquals(body.getKey(), in.readAllBytes());
            }
        }
    }

    // ---- reading and skipping

    @Test
    void skipDropsPartsAndNextSkipsAnUnreadPart() throws IOException, FetchException {
        String ct = "multipart/x-mixed-replace; boundary=frame";
        byte[] withLengths = cat(withLength("--frame", "image/jpeg", F1), withLength("--frame", "image/jpeg", F2),
                withLength("--frame", "image/jpeg", F3), withLength("--frame", "image/jpeg", F4));
        byte[] withoutLengths = body("--frame\r\nContent-Type: image/jpeg\r\n\r\n", F1, "\r\n--frame\r\nContent-Type: image/jpeg\r\n\r\n", F2,
                "\r\n--frame\r\nContent-Type: image/jpeg\r\n\r\n", F3, "\r\n--frame\r\nContent-Type: image/jpeg\r\n\r\n", F4, "\r\n");
        for (byte[] body : List.of(withLengths, withoutLengths, cat(F1, F2, F3, F4))) {
            for (Slicing slicing : SlicedInputStream.slicings(body)) {
                PartReader reader = PartReader.open(slicing.stream().get(), body == withLengths || body == withoutLengths ? ct : null, MAX);
                assertTrue(reader.next());
                reader.skip();
                assertTrue(reader.next());
                assertArrayEquals(F2, reader.read(), slicing.name());
                assertTrue(reader.next());
                assertTrue(reader.next(), slicing.name()); // F3 never read nor skipped
                assertArrayEquals(F4, reader.read(), slicing.name());
                assertFalse(reader.next());
                assertFalse(reader.next());
                assertEquals(body.length, reader.bytesRead(), slicing.name());
            }
        }
    }

    @Test
    void readWithoutNextIsAMistake() throws IOException, FetchException {
        PartReader reader = PartReader.open(new ByteArrayInputStream(F1), null, MAX);
        assertThrows(IllegalStateException.class, reader::read);
        assertTrue(reader.next());
        reader.read();
        assertThrows(IllegalStateException.class, reader::skip);
        reader.close();
        assertThrows(IllegalStateException.class, reader::next);
    }

    /** Frames are longer than the reader's buffer, and the stream is long: the buffer's own edges fall everywhere. */
    @Test
    void longStreamOfLargeFrames() throws IOException, FetchException {
        List<byte[]> frames = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            frames.add(TestImages.withComment(noisyJpeg(i), "large frame " + i));
        }
        assertTrue(frames.get(0).length > PartReader.BUFFER, "frames should outgrow the buffer: " + frames.get(0).length);
        ByteArrayOutputStream withLength = new ByteArrayOutputStream();
        ByteArrayOutputStream withoutLength = new ByteArrayOutputStream();
        ByteArrayOutputStream raw = new ByteArrayOutputStream();
        for (byte[] f : frames) {
            withLength.writeBytes(esp32Part("123456789000000000000987654321", f));
            withoutLength.writeBytes(body("--frame\r\nContent-Type: image/jpeg\r\n\r\n", f, "\r\n\r\n"));
            raw.writeBytes(f);
        }
        byte[][] expected = frames.toArray(new byte[0][]);
        assertImages("multipart/x-mixed-replace;boundary=123456789000000000000987654321", withLength.toByteArray(), expected);
        assertImages("multipart/x-mixed-replace;boundary=frame", withoutLength.toByteArray(), expected);
        assertImages(null, raw.toByteArray(), expected);
    }

    // ---- limits and hostile upstreams

    @Test
    void oversizedPartsAreDroppedAndTheNextIsRead() throws IOException, FetchException {
        byte[] big = noisyJpeg(1);
        long max = big.length - 1;
        byte[] noLength = body("--frame\r\nContent-Type: image/jpeg\r\n\r\n", big, "\r\n--frame\r\nContent-Type: image/jpeg\r\n\r\n", F1, "\r\n");
        byte[] declared = cat(withLength("--frame", "image/jpeg", big), withLength("--frame", "image/jpeg", F1));
        String ct = "multipart/x-mixed-replace;boundary=frame";
        assertDropsThenReads(ct, noLength, max, "part larger than max_image_bytes (" + max + ")", F1);
        assertDropsThenReads(ct, declared, max, "part of " + big.length + " bytes is larger than max_image_bytes (" + max + ")", F1);
        assertDropsThenReads(null, cat(big, F1), max, "part larger than max_image_bytes (" + max + ")", F1);
    }

    /** A Content-Length of 2 GB that lies: not believed, the part ends at its JPEG's end, and is dropped. */
    @Test
    void twoGigabyteContentLengthLie() throws IOException, FetchException {
        byte[] body = body("--frame\r\nContent-Type: image/jpeg\r\nContent-Length: 2147483648\r\n\r\n", F1,
                "\r\n", withLength("--frame", "image/jpeg", F2));
        assertDropsThenReads("multipart/x-mixed-replace;boundary=frame", body, MAX,
                "part of 2147483648 bytes is larger than max_image_bytes (" + MAX + ")", F2);
    }

    /** A 2 GB part that is sent: passed over without being held, and given up after 4 x max_image_bytes. */
    @Test
    void twoGigabytePartIsGivenUpInBoundedReading() throws IOException, FetchException {
        long max = 100_000;
        Endless body = new Endless(body("--frame\r\nContent-Type: image/jpeg\r\nContent-Length: 2147483648\r\n\r\n"), (byte) 0x55);
        PartReader reader = PartReader.open(body, "multipart/x-mixed-replace;boundary=frame", max);
        assertGivesUp(reader, reader::read, "part of 2147483648 bytes is larger than max_image_bytes (100000) and did not end within 400000 bytes");
        assertTrue(body.served < 4 * max + 3 * PartReader.BUFFER, "read " + body.served);
    }

    @Test
    void partThatNeverEnds() throws IOException, FetchException {
        long max = 100_000;
        // A JPEG whose entropy-coded data never reaches an EOI, and no delimiter ever comes.
        byte[] head = Arrays.copyOf(F1, F1.length - 2);
        Endless body = new Endless(cat(body("--frame\r\nContent-Type: image/jpeg\r\n\r\n"), head), (byte) 0x3C);
        PartReader reader = PartReader.open(body, "multipart/x-mixed-replace;boundary=frame", max);
        assertGivesUp(reader, reader::read, "part did not end within 400000 bytes");
        assertTrue(body.served < 4 * max + 3 * PartReader.BUFFER, "read " + body.served);
        // Skipping it ends the same way.
        Endless again = new Endless(cat(body("--frame\r\nContent-Type: image/jpeg\r\n\r\n"), head), (byte) 0x3C);
        PartReader skipper = PartReader.open(again, "multipart/x-mixed-replace;boundary=frame", max);
        assertGivesUp(skipper, skipper::skip, "part did not end within 400000 bytes");
        // In a raw JPEG run too.
        PartReader raw = PartReader.open(new Endless(head, (byte) 0x3C), null, max);
        assertGivesUp(raw, raw::read, "part did not end within 400000 bytes");
    }

    @Test
    void garbage() throws IOException, FetchException {
        byte[] noise = new byte[300_000];
        new Random(1).nextBytes(noise);
        noise[0] = 'G';
        PartReader reader = PartReader.open(new ByteArrayInputStream(noise), "multipart/x-mixed-replace;boundary=frame", 100_000);
        assertGivesUp(reader, "no multipart delimiter within 100000 bytes");
        PartReader raw = PartReader.open(new ByteArrayInputStream(noise), "application/octet-stream", 100_000);
        assertGivesUp(raw, "no JPEG start within 100000 bytes");
        // Garbage that ends is just the end.
        assertFalse(PartReader.open(new ByteArrayInputStream(Arrays.copyOf(noise, 1000)), null, MAX).next());
        assertFalse(PartReader.open(new ByteArrayInputStream(Arrays.copyOf(noise, 1000)), "multipart/mixed;boundary=b", MAX).next());
    }

    @Test
    void boundaryThatNeverComes() throws IOException, FetchException {
        byte[] other = cat(withLength("--other", "image/jpeg", noisyJpeg(2)), withLength("--other", "image/jpeg", noisyJpeg(3)));
        PartReader reader = PartReader.open(new ByteArrayInputStream(other), "multipart/x-mixed-replace;boundary=expected", 100_000);
        assertGivesUp(reader, "no multipart delimiter within 100000 bytes");
        // Or one that ends with the body: a clean end.
        assertEquals(0, readAll(new ByteArrayInputStream(withLength("--other", "image/jpeg", F1)),
                "multipart/x-mixed-replace;boundary=expected", MAX).size());
    }

    @Test
    void endlessHeaderLine() throws IOException {
        Endless body = new Endless(body("--frame\r\nContent-Type: image/jpeg\r\nX-Padding: "), (byte) 'a');
        PartReader reader = PartReader.open(body, "multipart/x-mixed-replace;boundary=frame", MAX);
        assertGivesUp(reader, "part header line longer than 8192 bytes");
        assertTrue(body.served < 2 * PartReader.BUFFER);
    }

    @Test
    void endlessHeaders() throws IOException {
        Endless body = new Endless(body("--frame\r\nContent-Type: image/jpeg\r\n"), body("X-Header: value\r\n"));
        PartReader reader = PartReader.open(body, "multipart/x-mixed-replace;boundary=frame", MAX);
        assertGivesUp(reader, "more than 64 header lines in a part");
        // A delimiter repeated forever is as many header lines.
        PartReader repeated = PartReader.open(new Endless(new byte[0], body("--frame\r\n")), "multipart/x-mixed-replace;boundary=frame", MAX);
        assertGivesUp(repeated, "more than 64 header lines in a part");
    }

    /** Non-image parts forever: the reader gives up rather than skipping without end. */
    @Test
    void noImagePartEver() throws IOException {
        Endless body = new Endless(new byte[0], withLength("--frame", "audio/g711u", new byte[1000]));
        PartReader reader = PartReader.open(body, "multipart/x-mixed-replace;boundary=frame", 10_000);
        assertGivesUp(reader, "no image part within 40000 bytes");
    }

    @Test
    void bodiesThatEndEarly() throws IOException, FetchException {
        String ct = "multipart/x-mixed-replace;boundary=frame";
        // A camera that closes after one byte, or after none.
        assertFalse(PartReader.open(new ByteArrayInputStream(new byte[] {'-'}), ct, MAX).next());
        assertFalse(PartReader.open(new ByteArrayInputStream(new byte[0]), ct, MAX).next());
        assertFalse(PartReader.open(new ByteArrayInputStream(new byte[] {(byte) 0xFF}), null, MAX).next());
        // Closed in the middle of the headers: a clean end.
        assertEquals(0, readAll(new ByteArrayInputStream(body("--frame\r\nContent-Type: ima")), ct, MAX).size());
        // Closed in the middle of a body: the part is not returned.
        byte[] cut = Arrays.copyOf(withLength("--frame", "image/jpeg", F2), 100);
        for (byte[] body : List.of(cat(withLength("--frame", "image/jpeg", F1), cut),
                body("--frame\r\nContent-Type: image/jpeg\r\n\r\n", F1, "\r\n--frame\r\nContent-Type: image/jpeg\r\n\r\n", Arrays.copyOf(F2, 100)))) {
            PartReader reader = PartReader.open(SlicedInputStream.oneByteAtATime(body), ct, MAX);
            assertTrue(reader.next());
            assertArrayEquals(F1, reader.read());
            assertTrue(reader.next());
            FetchException e = assertThrows(FetchException.class, reader::read);
            assertEquals("upstream closed in the middle of a part", e.getMessage());
            assertFalse(reader.next());
        }
        PartReader raw = PartReader.open(new ByteArrayInputStream(Arrays.copyOf(F1, 50)), null, MAX);
        assertTrue(raw.next());
        assertThrows(FetchException.class, raw::read);
        assertFalse(raw.next());
    }

    @Test
    void absurdBoundary() throws IOException {
        PartReader reader = PartReader.open(new ByteArrayInputStream(F1), "multipart/x-mixed-replace;boundary=" + "x".repeat(300), MAX);
        assertGivesUp(reader, "boundary longer than 256 characters");
        byte[] learnt = body("--" + "y".repeat(300) + "\r\n");
        PartReader learning = PartReader.open(new ByteArrayInputStream(learnt), "multipart/mixed", MAX);
        assertGivesUp(learning, "boundary longer than 256 characters");
    }

    // ---- helpers

    private interface Call {
        void run() throws IOException, FetchException;
    }

    /** next() fails with this message, and so does every later call: the stream is given up. */
    private static void assertGivesUp(PartReader reader, String message) throws IOException {
        FetchException e = assertThrows(FetchException.class, reader::next);
        assertEquals(message, e.getMessage());
        FetchException again = assertThrows(FetchException.class, reader::next);
        assertEquals(message, again.getMessage());
    }

    /** After next(), the call fails with this message, and so does every later call. */
    private static void assertGivesUp(PartReader reader, Call call, String message) throws IOException, FetchException {
        assertTrue(reader.next(), "expected a part before the failure");
        FetchException e = assertThrows(FetchException.class, call::run);
        assertEquals(message, e.getMessage());
        FetchException again = assertThrows(FetchException.class, reader::next);
        assertEquals(message, again.getMessage());
    }

    /** The first part is dropped with this message, the next one is read whole, and then the body ends. */
    private static void assertDropsThenReads(String ct, byte[] body, long max, String message, byte[] next)
            throws IOException, FetchException {
        for (Slicing slicing : SlicedInputStream.slicings(body)) {
            PartReader reader = PartReader.open(slicing.stream().get(), ct, max);
            assertTrue(reader.next(), slicing.name());
            FetchException e = assertThrows(FetchException.class, reader::read, slicing.name());
            assertEquals(message, e.getMessage(), slicing.name());
            assertTrue(reader.next(), slicing.name());
            assertArrayEquals(next, reader.read(), slicing.name());
            assertFalse(reader.next(), slicing.name());
        }
    }

    /** Reads every image part, whole, in every slicing; and every second one while skipping the others. */
    private static void assertImages(String contentType, byte[] body, byte[]... expected) throws IOException {
        for (Slicing slicing : SlicedInputStream.slicings(body)) {
            List<byte[]> images;
            try {
                images = readAll(slicing.stream().get(), contentType, MAX);
            } catch (FetchException e) {
                throw new AssertionError(slicing.name() + ": " + e.getMessage(), e);
            }
            assertEquals(expected.length, images.size(), slicing.name() + ": images read");
            for (int i = 0; i < expected.length; i++) {
                assertArrayEquals(expected[i], images.get(i), slicing.name() + ": image " + i);
            }
            if (slicing.name().startsWith("split")) {
                continue; // a read split in two tests the reading; skipping is tested in the other slicings
            }
            try {
                PartReader reader = PartReader.open(slicing.stream().get(), contentType, MAX);
                for (int i = 0; reader.next(); i++) {
                    if (i % 2 == 0) {
                        reader.skip();
                    } else {
                        assertArrayEquals(expected[i], reader.read(), slicing.name() + ": image " + i + " after a skip");
                    }
                }
            } catch (FetchException e) {
                throw new AssertionError(slicing.name() + " (skipping): " + e.getMessage(), e);
            }
        }
    }

    private static List<byte[]> readAll(InputStream in, String contentType, long max) throws IOException, FetchException {
        PartReader reader = PartReader.open(in, contentType, max);
        List<byte[]> images = new ArrayList<>();
        while (reader.next()) {
            images.add(reader.read());
        }
        assertFalse(reader.next());
        return images;
    }

    private static BodyKind kind(String contentType, byte[] body) throws IOException {
        return kind(contentType, body, MAX);
    }

    private static BodyKind kind(String contentType, byte[] body, long max) throws IOException {
        return BodyKind.of(contentType, new BufferedInputStream(SlicedInputStream.randomSlices(body, 3, 50)), max);
    }

    static byte[] frame(int n) {
        return TestImages.withComment(TestImages.jpeg(64, 48, "f" + n), "frame " + n);
    }

    /** A JPEG of noise, about 100 KB: larger than the reader's buffer. */
    static byte[] noisyJpeg(int seed) {
        java.awt.image.BufferedImage image = new java.awt.image.BufferedImage(480, 360, java.awt.image.BufferedImage.TYPE_INT_RGB);
        Random random = new Random(seed);
        for (int y = 0; y < 360; y++) {
            for (int x = 0; x < 480; x++) {
                image.setRGB(x, y, random.nextInt(0x1000000));
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            javax.imageio.ImageIO.write(image, "jpeg", out);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** An APP1 "Exif" segment right after SOI holding a whole JPEG, as a camera's EXIF thumbnail. */
    private static byte[] withExifThumbnail(byte[] jpeg, byte[] thumbnail) {
        byte[] exif = "Exif\0\0".getBytes(StandardCharsets.ISO_8859_1);
        int length = 2 + exif.length + thumbnail.length;
        ByteBuffer segment = ByteBuffer.allocate(2 + length).put((byte) 0xFF).put((byte) 0xE1).putShort((short) length)
                .put(exif).put(thumbnail);
        return cat(Arrays.copyOf(jpeg, 2), segment.array(), Arrays.copyOfRange(jpeg, 2, jpeg.length));
    }

    private static byte[] esp32Part(String boundary, byte[] jpeg) {
        return body("\r\n--" + boundary + "\r\n", "Content-Type: image/jpeg\r\nContent-Length: " + jpeg.length
                + "\r\nX-Timestamp: 1712345678.123456\r\n\r\n", jpeg);
    }

    private static byte[] kasaPart(String delimiter, String type, byte[] payload) {
        return body(delimiter + "\r\nContent-Type: " + type + "\r\nContent-Length: " + payload.length
                + "\r\nX-UtcTime:1690526144\r\nX-Timestamp: 295528.317000\r\nX-Audio: 1\r\nX-FrameType: 0\r\nX-FrameRate: 15.0\r\nX-Video-Detection: 0\r\n\r\n",
                payload, "\r\n");
    }

    private static byte[] withLength(String delimiter, String type, byte[] payload) {
        return body(delimiter + "\r\nContent-Type: " + type + "\r\nContent-Length: " + payload.length + "\r\n\r\n", payload, "\r\n");
    }

    /** Strings (as ISO-8859-1) and byte arrays, one after the other. */
    static byte[] body(Object... pieces) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Object piece : pieces) {
            out.writeBytes(piece instanceof String s ? s.getBytes(StandardCharsets.ISO_8859_1) : (byte[]) piece);
        }
        return out.toByteArray();
    }

    static byte[] cat(byte[]... pieces) {
        return body((Object[]) pieces);
    }

    /** A head, then a pattern repeated forever; counts what it served. */
    private static final class Endless extends InputStream {
        private final byte[] head;
        private final byte[] pattern;
        long served;

        Endless(byte[] head, byte filler) {
            this(head, new byte[] {filler});
        }

        Endless(byte[] head, byte[] pattern) {
            this.head = head;
            this.pattern = pattern;
        }

        @Override
        public int read() {
            byte[] one = new byte[1];
            read(one, 0, 1);
            return one[0] & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            for (int i = 0; i < len; i++) {
                long at = served + i;
                b[off + i] = at < head.length ? head[(int) at] : pattern[(int) ((at - head.length) % pattern.length)];
            }
            served += len;
            return len;
        }
    }
}

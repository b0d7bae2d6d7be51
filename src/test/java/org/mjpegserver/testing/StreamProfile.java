package org.mjpegserver.testing;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The bytes one kind of device sends for an MJPEG stream, as documented in its source, manual or public issue
 * threads (see the research notes on MJPEG streams): its response head, what comes before the first frame, each
 * frame as the writes the device makes, what ends the stream, and how the body goes on the wire (until the
 * connection closes, or in HTTP/1.1 chunks that follow the device's writes or its buffer size).
 */
public final class StreamProfile {

    /** Frame {@code number}'s JPEG as the writes the device makes for it. */
    @FunctionalInterface
    interface FrameFormat {
        List<byte[]> writes(long number, byte[] jpeg);
    }

    private static final String DATE = "Date: Mon, 01 Jan 2024 00:00:00 GMT\r\n";

    private final String name;
    private final String head;
    private final boolean chunked;
    private final int[] chunkSizes;
    private final byte[] start;
    private final FrameFormat frame;
    private final byte[] end;
    private final String delimiter;

    private StreamProfile(String name, String head, boolean chunked, int[] chunkSizes, byte[] start, FrameFormat frame,
            byte[] end, String delimiter) {
        this.name = name;
        this.head = head;
        this.chunked = chunked;
        this.chunkSizes = chunkSizes.clone();
        this.start = start;
        this.frame = frame;
        this.end = end;
        this.delimiter = delimiter;
    }

    /** ESP32 CameraWebServer: HTTP/1.1 chunked, three chunks a frame (delimiter with a CRLF before it, headers, JPEG). */
    public static StreamProfile esp32() {
        String b = "123456789000000000000987654321";
        return new StreamProfile("ESP32 CameraWebServer",
                "HTTP/1.1 200 OK\r\nContent-Type: multipart/x-mixed-replace;boundary=" + b + "\r\nTransfer-Encoding: chunked\r\n"
                        + "Access-Control-Allow-Origin: *\r\nX-Framerate: 60\r\n\r\n",
                true, new int[0], new byte[0],
                (n, jpeg) -> List.of(ascii("\r\n--" + b + "\r\n"),
                        ascii("Content-Type: image/jpeg\r\nContent-Length: " + jpeg.length + "\r\nX-Timestamp: " + timestamp(n) + "\r\n\r\n"),
                        jpeg),
                new byte[0], "--" + b);
    }

    /** mjpg-streamer output_http: HTTP/1.0, Connection: close, a delimiter after the head and after every part. */
    public static StreamProfile mjpgStreamer() {
        String b = "boundarydonotcross";
        return new StreamProfile("mjpg-streamer",
                "HTTP/1.0 200 OK\r\nAccess-Control-Allow-Origin: *\r\nConnection: close\r\nServer: MJPG-Streamer/0.2\r\n"
                        + "Cache-Control: no-store, no-cache, must-revalidate, pre-check=0, post-check=0, max-age=0\r\n"
                        + "Pragma: no-cache\r\nExpires: Mon, 3 Jan 2000 12:34:56 GMT\r\n"
                        + "Content-Type: multipart/x-mixed-replace;boundary=" + b + "\r\n\r\n",
                false, new int[0], ascii("--" + b + "\r\n"),
                (n, jpeg) -> List.of(
                        ascii("Content-Type: image/jpeg\r\nContent-Length: " + jpeg.length + "\r\nX-Timestamp: " + timestamp(n) + "\r\n\r\n"),
                        jpeg, ascii("\r\n--" + b + "\r\n")),
                new byte[0], "--" + b);
    }

    /** Motion 4.1: HTTP/1.0, "Content-type" in lower case, Content-Length padded by %9d, a CRLF after each JPEG. */
    public static StreamProfile motion() {
        return new StreamProfile("Motion",
                "HTTP/1.0 200 OK\r\nServer: Motion/4.1.1\r\nConnection: close\r\nMax-Age: 0\r\nExpires: 0\r\n"
                        + "Cache-Control: no-cache, private\r\nPragma: no-cache\r\n"
                        + "Content-Type: multipart/x-mixed-replace; boundary=BoundaryString\r\n\r\n",
                false, new int[0], new byte[0],
                (n, jpeg) -> List.of(ascii("--BoundaryString\r\nContent-type: image/jpeg\r\nContent-Length: "
                        + String.format(Locale.ROOT, "%9d", jpeg.length) + "\r\n\r\n"), jpeg, ascii("\r\n")),
                new byte[0], "--BoundaryString");
    }

    /**
     * Foscam G2 CGIStream GetMJStream (go2rtc#1258): no space after any colon, and the delimiter twice in a row
     * before the first part.
     */
    public static StreamProfile foscamG2() {
        return new StreamProfile("Foscam G2",
                "HTTP/1.1 200 OK\r\nContent-type:multipart/x-mixed-replace;boundary=ThisString\r\n\r\n",
                false, new int[0], ascii("--ThisString\r\n"),
                (n, jpeg) -> List.of(ascii("--ThisString\r\nContent-type:image/jpeg\r\nContent-Length:" + jpeg.length + "\r\n\r\n"),
                        jpeg, ascii("\r\n")),
                new byte[0], "--ThisString");
    }

    /** Axis (VAPIX): HTTP/1.0, boundary "myboundary", Motion-Event and Content-Auth part headers. */
    public static StreamProfile axis() {
        return new StreamProfile("Axis",
                "HTTP/1.0 200 OK\r\nCache-Control: no-cache\r\nPragma: no-cache\r\nExpires: Thu, 01 Dec 1994 16:00:00 GMT\r\n"
                        + "Connection: close\r\nContent-Type: multipart/x-mixed-replace; boundary=myboundary\r\n\r\n",
                false, new int[0], new byte[0],
                (n, jpeg) -> List.of(ascii("--myboundary\r\nContent-Type: image/jpeg\r\nContent-Length: " + jpeg.length
                        + "\r\nContent-Auth: 0a1b2c3d\r\nMotion-Event: " + (n % 2) + "\r\n\r\n"), jpeg, ascii("\r\n")),
                new byte[0], "--myboundary");
    }

    /** Panasonic nphMotionJpeg (node-mjpeg-proxy#5): the parameter is "--myboundary", and so is the delimiter line. */
    public static StreamProfile panasonic() {
        return new StreamProfile("Panasonic",
                "HTTP/1.0 200 OK\r\nContent-type: multipart/x-mixed-replace; boundary=--myboundary\r\n\r\n",
                false, new int[0], new byte[0],
                (n, jpeg) -> List.of(ascii("--myboundary\r\nContent-length: " + jpeg.length + "\r\nContent-type: image/jpeg\r\n\r\n"),
                        jpeg, ascii("\r\n")),
                new byte[0], "--myboundary");
    }

    /**
     * TP-Link Kasa (go2rtc#545): HTTP/1.0 yet chunked, boundary "data-boundary--" (every delimiter looks like a
     * close delimiter), X-UtcTime with no space, an audio part before every image. Serve it over HTTPS.
     */
    public static StreamProfile kasa() {
        String d = "--data-boundary--";
        return new StreamProfile("Kasa",
                "HTTP/1.0 200 OK\r\nContent-Type: multipart/x-mixed-replace;boundary=data-boundary--\r\nTransfer-Encoding: chunked\r\n\r\n",
                true, new int[0], new byte[0],
                (n, jpeg) -> {
                    byte[] audio = new byte[320];
                    audio[0] = (byte) n;
                    return List.of(kasaPart(d, "audio/g711u", audio, n), kasaPart(d, "image/jpeg", jpeg, n));
                },
                new byte[0], d);
    }

    /** Tasmota webcam (Tasmota#12376): no delimiter before the first part, one after every part. */
    public static StreamProfile tasmota() {
        String b = "e8b8c539-047d-4777-a985-fbba6edff11e";
        return new StreamProfile("Tasmota",
                "HTTP/1.1 200 OK\r\nContent-Type: multipart/x-mixed-replace;boundary=" + b + "\r\n\r\n",
                false, new int[0], new byte[0],
                (n, jpeg) -> List.of(ascii("Content-Type: image/jpeg\r\nContent-Length: " + jpeg.length + "\r\n\r\n"), jpeg,
                        ascii("\r\n--" + b + "\r\n")),
                new byte[0], "--" + b);
    }

    /** A Flask tutorial's generator under Werkzeug: chunked, one chunk a frame, no Content-Length, a blank line after each JPEG. */
    public static StreamProfile flask() {
        return new StreamProfile("Flask",
                "HTTP/1.1 200 OK\r\nServer: Werkzeug/3.0.1 Python/3.11.2\r\n" + DATE
                        + "Content-Type: multipart/x-mixed-replace; boundary=frame\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n",
                true, new int[0], new byte[0],
                (n, jpeg) -> List.of(concat(ascii("--frame\r\nContent-Type: image/jpeg\r\n\r\n"), jpeg, ascii("\r\n\r\n"))),
                new byte[0], "--frame");
    }

    /**
     * OpenMV-Netcam (a Go server): LF-only line endings and the next delimiter right after the JPEG; Go's
     * net/http cuts the body into chunks of its 2 KB buffer, so chunk edges fall in headers and JPEGs.
     */
    public static StreamProfile openMv() {
        return new StreamProfile("OpenMV-Netcam",
                "HTTP/1.1 200 OK\r\nContent-Type: multipart/x-mixed-replace; boundary=frame\r\n" + DATE + "Transfer-Encoding: chunked\r\n\r\n",
                true, new int[] {2048}, new byte[0],
                (n, jpeg) -> List.of(ascii("--frame\nContent-Type: image/jpeg\nContent-Length: " + jpeg.length + "\n\n"), jpeg),
                new byte[0], "--frame");
    }

    /** go2rtc's MJPEG output: Go net/http, chunked in 2 KB pieces, flushed after every frame. */
    public static StreamProfile go2rtc() {
        return new StreamProfile("go2rtc",
                "HTTP/1.1 200 OK\r\nCache-Control: no-cache\r\nConnection: close\r\nContent-Type: multipart/x-mixed-replace; boundary=frame\r\n"
                        + "Pragma: no-cache\r\n" + DATE + "Transfer-Encoding: chunked\r\n\r\n",
                true, new int[] {2048}, new byte[0],
                (n, jpeg) -> List.of(ascii("--frame\r\nContent-Type: image/jpeg\r\nContent-Length: " + jpeg.length + "\r\n\r\n"), jpeg,
                        ascii("\r\n")),
                new byte[0], "--frame");
    }

    /** Home Assistant's image stream (aiohttp, chunked): a CRLF before every delimiter, a close delimiter at the end. */
    public static StreamProfile homeAssistant() {
        String b = "frame-boundary";
        return new StreamProfile("Home Assistant",
                "HTTP/1.1 200 OK\r\nContent-Type: multipart/x-mixed-replace; boundary=" + b + "\r\nTransfer-Encoding: chunked\r\n" + DATE
                        + "Server: Python/3.12 aiohttp/3.9.5\r\n\r\n",
                true, new int[0], new byte[0],
                (n, jpeg) -> List.of(concat(ascii("\r\n--" + b + "\r\nContent-Type: image/jpeg\r\nContent-Length: " + jpeg.length + "\r\n\r\n"), jpeg)),
                ascii("\r\n--" + b + "--\r\n"), "--" + b);
    }

    /**
     * Axxon Intellect (its HTTP API manual): multipart/mixed, a text/xml state part first, every third frame and
     * at the end, and X-Width, X-Height and X-Time on image parts.
     */
    public static StreamProfile axxonMixed() {
        String d = "--videoframe";
        return new StreamProfile("Axxon multipart/mixed",
                "HTTP/1.1 200 OK\r\nContent-Type: multipart/mixed;boundary=videoframe\r\nConnection: close\r\n\r\n",
                false, new int[0], xmlPart(d, "playing"),
                (n, jpeg) -> {
                    List<byte[]> writes = new ArrayList<>();
                    if (n % 3 == 0) {
                        writes.add(xmlPart(d, "playing"));
                    }
                    writes.add(ascii(d + "\r\nContent-Type: image/jpeg\r\nContent-Length: " + jpeg.length
                            + "\r\nX-Width: 320\r\nX-Height: 240\r\nX-Time: 20240101T0000" + String.format(Locale.ROOT, "%02d", n % 60) + "\r\n\r\n"));
                    writes.add(jpeg);
                    writes.add(ascii("\r\n"));
                    return writes;
                },
                concat(xmlPart(d, "closed"), ascii(d + "--\r\n")), d);
    }

    /** Lumenera and AVTech DVRs: a quoted boundary. */
    public static StreamProfile lumenera() {
        return new StreamProfile("Lumenera (quoted boundary)",
                "HTTP/1.0 200 OK\r\nContent-Type: multipart/x-mixed-replace; boundary=\"lumenera boundary\"\r\n\r\n",
                false, new int[0], new byte[0],
                (n, jpeg) -> List.of(ascii("--lumenera boundary\r\nContent-Type: image/jpeg\r\nContent-Length: " + jpeg.length + "\r\n\r\n"),
                        jpeg, ascii("\r\n")),
                new byte[0], "--lumenera boundary");
    }

    /** Parts labelled image/jpg, as TP-Link labels its snapshots; HTTP/1.1 ending at close. */
    public static StreamProfile imageJpg() {
        return new StreamProfile("image/jpg parts",
                "HTTP/1.1 200 OK\r\nContent-Type: multipart/x-mixed-replace; boundary=jpgboundary\r\nConnection: close\r\n\r\n",
                false, new int[0], new byte[0],
                (n, jpeg) -> List.of(ascii("--jpgboundary\r\nContent-Type: image/jpg\r\nContent-Length: " + jpeg.length + "\r\n\r\n"),
                        jpeg, ascii("\r\n")),
                new byte[0], "--jpgboundary");
    }

    /** An RFC 2046 writer: a preamble before the first delimiter, a CRLF before each one, no Content-Length. */
    public static StreamProfile mimePreamble() {
        return new StreamProfile("MIME with preamble",
                "HTTP/1.1 200 OK\r\nContent-Type: multipart/x-mixed-replace; boundary=\"mime-boundary-42\"\r\nConnection: close\r\n\r\n",
                false, new int[0], ascii("This is a multi-part message in MIME format.\r\n"),
                (n, jpeg) -> List.of(ascii("\r\n--mime-boundary-42\r\nContent-Type: image/jpeg\r\n\r\n"), jpeg),
                ascii("\r\n--mime-boundary-42--\r\n"), "--mime-boundary-42");
    }

    /**
     * Raw MJPEG: {@code ffmpeg -f mjpeg} written to its HTTP output (chunked, in its 32 KB I/O buffer), JPEG after
     * JPEG, with junk before the first as v4l2 capture leaves (go2rtc#747).
     */
    public static StreamProfile rawJpegRun() {
        byte[] junk = concat(new byte[] {0, 0, 0, 0, (byte) 0xFF, (byte) 0xD8, 0x00, 0x10}, ascii("v4l2 junk"));
        return new StreamProfile("raw JPEG run",
                "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nTransfer-Encoding: chunked\r\n\r\n",
                true, new int[] {32768}, junk, (n, jpeg) -> List.of(jpeg), new byte[0], null);
    }

    /** Every named profile. */
    public static List<StreamProfile> all() {
        return List.of(esp32(), mjpgStreamer(), motion(), foscamG2(), axis(), panasonic(), kasa(), tasmota(), flask(),
                openMv(), go2rtc(), homeAssistant(), axxonMixed(), lumenera(), imageJpg(), mimePreamble(), rawJpegRun());
    }

    /**
     * The same frames in HTTP/1.1 chunks cut at these sizes in turn, across the device's writes (each frame's
     * rest flushed as a shorter chunk), so chunk edges fall in delimiters, headers and JPEGs.
     */
    public StreamProfile chunked(int... sizes) {
        if (sizes.length == 0 || java.util.Arrays.stream(sizes).anyMatch(s -> s < 1)) {
            throw new IllegalArgumentException("chunk sizes must be positive");
        }
        String newHead = head.replaceFirst("^HTTP/1\\.0", "HTTP/1.1");
        if (!newHead.toLowerCase(Locale.ROOT).contains("transfer-encoding: chunked")) {
            newHead = newHead.substring(0, newHead.length() - 2) + "Transfer-Encoding: chunked\r\n\r\n";
        }
        return new StreamProfile(name + ", chunks of " + java.util.Arrays.toString(sizes), newHead, true, sizes, start, frame, end, delimiter);
    }

    public String name() {
        return name;
    }

    /** The delimiter line the body uses, or null for a raw JPEG run. */
    public String delimiter() {
        return delimiter;
    }

    @Override
    public String toString() {
        return name;
    }

    String head() {
        return head;
    }

    boolean isChunked() {
        return chunked;
    }

    int[] chunkSizes() {
        return chunkSizes;
    }

    byte[] start() {
        return start;
    }

    List<byte[]> frame(long number, byte[] jpeg) {
        return frame.writes(number, jpeg);
    }

    byte[] end() {
        return end;
    }

    private static byte[] kasaPart(String delimiter, String type, byte[] payload, long n) {
        return concat(ascii(delimiter + "\r\nContent-Type: " + type + "\r\nContent-Length: " + payload.length
                + "\r\nX-UtcTime:" + (1690526144 + n) + "\r\nX-Timestamp: " + timestamp(n) + "\r\nX-Audio: 1\r\nX-FrameType: 0\r\n"
                + "X-FrameRate: 15.0\r\nX-Video-Detection: 0\r\n\r\n"), payload, ascii("\r\n"));
    }

    private static byte[] xmlPart(String delimiter, String state) {
        byte[] xml = ascii("<?xml version=\"1.0\" encoding=\"UTF-8\"?><state><newstate>" + state + "</newstate></state>");
        return concat(ascii(delimiter + "\r\nContent-Type: text/xml\r\nContent-Length: " + xml.length + "\r\n\r\n"), xml, ascii("\r\n"));
    }

    private static String timestamp(long n) {
        return String.format(Locale.ROOT, "%d.%06d", 295528 + n / 10, (n % 10) * 100_000);
    }

    static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }

    static byte[] concat(byte[]... pieces) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] piece : pieces) {
            out.writeBytes(piece);
        }
        return out.toByteArray();
    }
}

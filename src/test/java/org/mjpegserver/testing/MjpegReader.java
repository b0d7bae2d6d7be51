package org.mjpegserver.testing;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * A strict parser of multipart/x-mixed-replace MJPEG streams, to assert our exact wire
 * format: {@code --frame CRLF, headers, CRLF, JPEG body, CRLF}, repeated.
 *
 * <p>Each part is returned as soon as its body and trailing CRLF have arrived; the reader
 * never waits for the next boundary, so latency measurements see what a browser sees.
 */
public final class MjpegReader implements AutoCloseable {

    private static final Pattern CONTENT_TYPE = Pattern.compile(
            "\\s*(?i:multipart/x-mixed-replace)\\s*;\\s*(?i:boundary)\\s*=\\s*frame\\s*");
    private static final int MAX_LINE = 1024;
    private static final int MAX_HEADERS = 32;
    private static final long MAX_BODY = 64L * 1024 * 1024;

    /** One part of the stream; {@code receivedNanos} is System.nanoTime() when the body was complete. */
    public record Part(byte[] jpeg, Map<String, String> headers, long receivedNanos, Instant receivedAt) {
    }

    private final InputStream in;
    private final String delimiter;
    private final Map<String, List<String>> headers;
    private final HttpURLConnection connection;
    private int partsRead;
    private boolean ended;

    private MjpegReader(InputStream in, String boundary, Map<String, List<String>> headers,
            HttpURLConnection connection) {
        this.in = new BufferedInputStream(in);
        this.delimiter = "--" + boundary;
        this.headers = headers;
        this.connection = connection;
    }

    /** Opens the stream, insisting on 200 and {@code multipart/x-mixed-replace; boundary=frame}. */
    public static MjpegReader open(String url) throws IOException {
        HttpURLConnection connection = (HttpURLConnection) URI.create(url).toURL().openConnection();
        connection.setConnectTimeout(5_000);
        connection.setReadTimeout(10_000);
        try {
            int status = connection.getResponseCode();
            if (status != 200) {
                throw new MjpegFormatException("expected HTTP 200 from " + url + ", got " + status);
            }
            String type = connection.getContentType();
            if (type == null || !CONTENT_TYPE.matcher(type).matches()) {
                throw new MjpegFormatException(
                        "expected Content-Type 'multipart/x-mixed-replace; boundary=frame', got '" + type + "'");
            }
            Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            connection.getHeaderFields().forEach((name, values) -> {
                if (name != null) { // the status line is listed under a null key
                    headers.put(name, values);
                }
            });
            return new MjpegReader(connection.getInputStream(), "frame",
                    Collections.unmodifiableMap(headers), connection);
        } catch (IOException | RuntimeException e) {
            connection.disconnect();
            throw e;
        }
    }

    /** Reads a stream without HTTP, e.g. canned bytes in unit tests. */
    public static MjpegReader of(InputStream in, String boundary) {
        return new MjpegReader(in, boundary, Map.of(), null);
    }

    /** Response headers (names ignore case); empty when not read over HTTP. */
    public Map<String, List<String>> headers() {
        return headers;
    }

    /** The next part, or null at a clean end of the stream. */
    public Part next() throws IOException {
        if (ended || !readBoundary()) {
            ended = true;
            return null;
        }
        Map<String, String> partHeaders = readHeaders();
        if (partHeaders == null) { // EOF right after the boundary line
            ended = true;
            return null;
        }
        int length = contentLength(partHeaders);
        byte[] body = in.readNBytes(length);
        long nanos = System.nanoTime();
        Instant at = Instant.now();
        if (body.length < length) {
            throw error("stream ended after " + body.length + " of " + length + " body bytes");
        }
        if (length < 4 || (body[0] & 0xFF) != 0xFF || (body[1] & 0xFF) != 0xD8) {
            throw error("body does not start with JPEG SOI FFD8");
        }
        if ((body[length - 2] & 0xFF) != 0xFF || (body[length - 1] & 0xFF) != 0xD9) {
            throw error("body does not end with JPEG EOI FFD9");
        }
        byte[] crlf = in.readNBytes(2);
        if (crlf.length != 2 || crlf[0] != '\r' || crlf[1] != '\n') {
            throw error("missing CRLF after the body, got " + describe(crlf));
        }
        partsRead++;
        return new Part(body, partHeaders, nanos, at);
    }

    /** Reads exactly n parts; an early end of stream is a format error. */
    public List<Part> read(int n) throws IOException {
        List<Part> parts = new ArrayList<>(n);
        while (parts.size() < n) {
            Part part = next();
            if (part == null) {
                throw error("stream ended after " + parts.size() + " of " + n + " requested parts");
            }
            parts.add(part);
        }
        return parts;
    }

    @Override
    public void close() throws IOException {
        try {
            in.close();
        } finally {
            if (connection != null) {
                connection.disconnect();
            }
        }
    }

    /** True on a boundary line, false on EOF or the close delimiter; anything else throws. */
    private boolean readBoundary() throws IOException {
        byte[] line = readLine();
        String text = new String(line, StandardCharsets.ISO_8859_1);
        if (line.length == 0 || text.equals(delimiter + "--") || text.equals(delimiter + "--\r\n")) {
            return false;
        }
        if (text.equals(delimiter + "\r\n")) {
            return true;
        }
        if (partsRead == 0 && !text.startsWith(delimiter)) {
            throw error("body does not start with '" + delimiter + "', got " + describe(line));
        }
        throw error("boundary line is not exactly '" + delimiter + "' CRLF, got " + describe(line));
    }

    /** Part headers up to the empty line, or null if the stream ends before the first byte. */
    private Map<String, String> readHeaders() throws IOException {
        Map<String, String> result = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        for (int count = 0; ; count++) {
            byte[] line = readLine();
            if (line.length == 0 && count == 0) {
                return null;
            }
            String text = new String(line, StandardCharsets.ISO_8859_1);
            if (!text.endsWith("\r\n")) {
                throw error("part header line does not end with CRLF: " + describe(line));
            }
            if (text.equals("\r\n")) {
                return Collections.unmodifiableMap(result);
            }
            int colon = text.indexOf(':');
            if (colon <= 0 || count >= MAX_HEADERS) {
                throw error("malformed part header line " + describe(line));
            }
            result.put(text.substring(0, colon).trim(), text.substring(colon + 1).trim());
        }
    }

    private int contentLength(Map<String, String> partHeaders) throws MjpegFormatException {
        String type = partHeaders.get("Content-Type");
        if (!"image/jpeg".equalsIgnoreCase(type)) {
            throw error("part Content-Type must be image/jpeg, got " + (type == null ? "none" : "'" + type + "'"));
        }
        String length = partHeaders.get("Content-Length");
        if (length == null) {
            throw error("part has no Content-Length header");
        }
        if (!length.matches("[0-9]{1,10}") || Long.parseLong(length) > MAX_BODY) {
            throw error("part Content-Length is not a sane number: '" + length + "'");
        }
        return Integer.parseInt(length);
    }

    /** Bytes up to and including LF (or EOF), so the caller can check for a bare LF. */
    private byte[] readLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != -1) {
            line.write(b);
            if (b == '\n') {
                break;
            }
            if (line.size() > MAX_LINE) {
                throw error("line longer than " + MAX_LINE + " bytes: " + describe(line.toByteArray()));
            }
        }
        return line.toByteArray();
    }

    private MjpegFormatException error(String what) {
        return new MjpegFormatException("part " + (partsRead + 1) + ": " + what);
    }

    /** Shows control bytes so that a stray LF or a missing CR is visible in the message. */
    private static String describe(byte[] bytes) {
        if (bytes.length == 0) {
            return "end of stream";
        }
        String text = new String(bytes, 0, Math.min(bytes.length, 80), StandardCharsets.ISO_8859_1);
        return "'" + text.replace("\r", "\\r").replace("\n", "\\n") + (bytes.length > 80 ? "...'" : "'");
    }
}

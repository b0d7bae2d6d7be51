package org.mjpegserver.fetch;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;

/**
 * Reads the image parts of an upstream MJPEG body one at a time, in bounded memory, taking what real cameras send
 * rather than what RFC 2046 says.
 *
 * <p>A {@code multipart/*} body is split on its delimiter lines. The boundary parameter may or may not carry the
 * leading {@code --} (Panasonic), may be quoted, and may end in {@code --} itself (Kasa: its every delimiter
 * looks like a close delimiter, so only {@code --boundary--} exactly ends the body); without one, the first line
 * of the body teaches it. Before the first part come blank lines (ESP32), a preamble, or nothing at all: the
 * headers of the first part right away (Tasmota). A delimiter repeated with nothing between (Foscam G2) is an
 * empty part. Header names are matched in any case and values trimmed (Motion pads with spaces, Foscam puts
 * none after the colon); unknown headers are ignored; lines may end in LF alone (OpenMV). Non-image parts are
 * skipped (text, XML, H.264, audio); {@code image/*} parts are kept, and so is a part with no Content-Type whose
 * body starts with SOI, since cameras that leave the header out send JPEGs.
 *
 * <p>A part with a Content-Length is taken as exactly that many bytes, and whatever follows it up to the next
 * delimiter (line breaks, padding, nothing at all) is passed over. A part without one, or with one larger than
 * the limit (a 2 GB length is a broken or hostile upstream, not a frame), ends at the next full delimiter line;
 * and if its body is a JPEG, already at the JPEG's end, found by walking its markers, so a frame is returned as
 * soon as it has arrived rather than when the next one begins. A delimiter inside the JPEG's metadata segments
 * is data; inside its entropy-coded data, where no encoder can produce it, it means the JPEG was cut short.
 *
 * <p>A body that is not multipart but starts with {@code --} is read as multipart; any other is a run of JPEGs
 * one after the other (raw MJPEG, as {@code ffmpeg -f mjpeg} writes), split at each JPEG's end and the next SOI,
 * with junk before the first one passed over.
 *
 * <p>Memory is bounded: a part is held only up to {@code maxPartBytes}, header lines up to {@value #MAX_LINE}
 * bytes and {@value #MAX_HEADERS} to a part, and every search (for a delimiter, an SOI, the end of junk) gives
 * up after {@code maxPartBytes}. An oversized part is passed over without being held, for at most
 * {@code 4 * maxPartBytes}; past that, and for a stream that yields no image part within as much, the reader
 * gives up. A {@link FetchException} from {@link #read()} drops that part only; one from {@link #next()} or
 * {@link #skip()} means the stream is unusable, and every later call repeats it. Not thread-safe.
 */
final class PartReader implements Closeable {

    static final int MAX_LINE = 8 * 1024;
    static final int MAX_HEADERS = 64;
    static final int MAX_BOUNDARY = 256;
    static final int BUFFER = 64 * 1024;
    /** Spaces or tabs tolerated after a delimiter, before its line break. */
    private static final int MAX_PADDING = 64;
    private static final int MAX_HEADER_NAME = 80;
    private static final String TRUNCATED = "upstream closed in the middle of a part";

    private static final int NO = 0;
    private static final int MATCH = 1;
    private static final int NEED_MORE = 2;

    private enum Mode { UNDECIDED, MULTIPART, JPEG_RUN }

    private final InputStream in;
    private final long maxPartBytes;
    private final long maxSkipBytes;
    private byte[] buf = new byte[BUFFER];
    private int pos;
    private int limit;
    private boolean eof;
    private long bytesRead;

    private Mode mode;
    /** The delimiter line without its line break, or null until the body shows it. */
    private byte[] delimiter;
    private String delimiterText;
    /** Horspool shifts for {@link #delimiter}. */
    private final int[] shifts = new int[256];
    private String boundaryError;

    private boolean firstPart = true;
    private boolean inPart;
    /** The current part's Content-Length, or -1 without a usable one. */
    private long partLength;
    private boolean ended;
    private boolean closed;
    private FetchException broken;

    private final JpegScanner scanner = new JpegScanner();
    private byte[] scratch = new byte[0];
    private int held;
    /** Set by {@link #tailAt}: where the matched delimiter line ends, and whether it closes the body. */
    private int matchEnd;
    private boolean matchClose;

    private PartReader(InputStream body, String contentType, long maxPartBytes) {
        if (maxPartBytes < 1) {
            throw new IllegalArgumentException("maxPartBytes must be positive");
        }
        this.in = body;
        this.maxPartBytes = maxPartBytes;
        this.maxSkipBytes = maxPartBytes > Long.MAX_VALUE / 4 ? Long.MAX_VALUE : maxPartBytes * 4;
        if (isMultipart(contentType)) {
            mode = Mode.MULTIPART;
            String boundary = boundaryOf(contentType);
            if (boundary != null && boundary.length() > MAX_BOUNDARY) {
                boundaryError = "boundary longer than " + MAX_BOUNDARY + " characters";
            } else if (boundary != null) {
                useDelimiter(boundary.startsWith("--") ? boundary : "--" + boundary);
            }
        } else {
            mode = Mode.UNDECIDED;
        }
    }

    /**
     * A reader of {@code body}; no bytes are read until {@link #next()}. The caller keeps the body: closing
     * the reader does not close it.
     *
     * @param contentType the response's Content-Type header, or null
     * @param maxPartBytes the image's max_image_bytes
     */
    static PartReader open(InputStream body, String contentType, long maxPartBytes) {
        return new PartReader(body, contentType, maxPartBytes);
    }

    /** True for a {@code multipart/*} media type, whatever its subtype and parameters. */
    static boolean isMultipart(String contentType) {
        return contentType != null && mediaType(contentType).startsWith("multipart/");
    }

    /** The boundary parameter without quotes, or null when there is none or it is empty. */
    static String boundaryOf(String contentType) {
        if (contentType == null) {
            return null;
        }
        String[] parameters = contentType.split(";");
        for (int i = 1; i < parameters.length; i++) {
            int equals = parameters[i].indexOf('=');
            if (equals > 0 && parameters[i].substring(0, equals).trim().equalsIgnoreCase("boundary")) {
                String value = parameters[i].substring(equals + 1).trim();
                if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
                    value = value.substring(1, value.length() - 1).replaceAll("\\\\(.)", "$1");
                }
                return value.isEmpty() ? null : value;
            }
        }
        return null;
    }

    /**
     * Advances to the next image part, skipping the rest of the current one and any non-image parts.
     *
     * @return false at the end of the body: end of stream, or a close delimiter
     * @throws FetchException when the stream cannot be read further (the message says why)
     */
    boolean next() throws IOException, FetchException {
        checkUsable();
        if (ended) {
            return false;
        }
        try {
            if (inPart) {
                inPart = false;
                discardBody();
                if (ended) {
                    return false;
                }
            }
            long start = position();
            if (mode == Mode.UNDECIDED) {
                decideMode(maxPartBytes);
                if (ended) {
                    return false;
                }
            }
            return mode == Mode.JPEG_RUN ? nextJpeg() : nextPart(start);
        } catch (FetchException e) {
            throw giveUp(e.getMessage());
        }
    }

    /**
     * The current part's bytes, whole; a part cut short by the end of the stream is never returned.
     *
     * @throws FetchException when the part is dropped: larger than maxPartBytes (after skipping its rest without
     *         holding it), cut short by the end of the stream, or not a JPEG in a raw JPEG run. {@link #next()}
     *         may be called again.
     */
    byte[] read() throws IOException, FetchException {
        checkUsable();
        requirePart();
        inPart = false;
        if (mode == Mode.MULTIPART && partLength >= 0 && partLength <= maxPartBytes) {
            return readExactly((int) partLength);
        }
        return scanBody(true);
    }

    /** Skips the current part without holding it; the relay drops surplus frames this way. */
    void skip() throws IOException, FetchException {
        checkUsable();
        requirePart();
        inPart = false;
        discardBody();
    }

    /** Bytes read from the body so far, including those read ahead into the buffer. */
    long bytesRead() {
        return bytesRead;
    }

    /**
     * Drops the buffers. The body is left open: the caller owns the connection and must abort it, as closing
     * an HTTP client's stream of an endless body would read it to its end.
     */
    @Override
    public void close() {
        closed = true;
        buf = new byte[0];
        scratch = new byte[0];
        pos = 0;
        limit = 0;
    }

    /** What a non-multipart body holds, for {@link BodyKind}: decides on at most a junk window and one JPEG. */
    BodyKind probe(int junkWindow) throws IOException {
        try {
            decideMode(junkWindow);
            if (ended) {
                return BodyKind.SINGLE;
            }
            if (mode == Mode.MULTIPART) {
                return BodyKind.MULTIPART;
            }
            if (!seekSoi(position(), junkWindow)) {
                return BodyKind.SINGLE;
            }
            long start = position();
            scanner.reset();
            while (!scanner.ended()) {
                if (scanner.error() != null || position() - start > maxPartBytes) {
                    return BodyKind.SINGLE;
                }
                int stop = scanner.scan(buf, pos, limit);
                if (stop > pos) {
                    pos = stop;
                } else if (!ensure(limit - pos + 1)) {
                    return BodyKind.SINGLE;
                }
            }
            if (position() - start > maxPartBytes || !skipBlank(position(), junkWindow)) {
                return BodyKind.SINGLE;
            }
            return ensure(3) && isSoi(pos) ? BodyKind.JPEG_RUN : BodyKind.SINGLE;
        } catch (FetchException e) {
            return BodyKind.SINGLE;
        }
    }

    // ---- multipart

    private boolean nextPart(long start) throws IOException, FetchException {
        if (boundaryError != null) {
            throw new FetchException(boundaryError);
        }
        long gapStart = position();
        while (true) {
            if (!skipBlank(gapStart, maxPartBytes)) {
                return end();
            }
            if (firstPart && ensure(3) && isSoi(pos)) {
                // Labelled multipart, but JPEGs without delimiters or headers: read it as the run it is.
                mode = Mode.JPEG_RUN;
                return nextJpeg();
            }
            if (delimiter == null) {
                if (!learnDelimiter()) {
                    return end();
                }
            } else if (ensure(delimiter.length) && regionMatches(pos) && tailFrom(pos) == MATCH) {
                pos = matchEnd;
                if (matchClose) {
                    return end();
                }
            } else if (!(firstPart && looksLikeHeader())) {
                // A preamble, or junk after a part: pass over it to the next delimiter line.
                if (!seekDelimiter(gapStart)) {
                    return end();
                }
                continue;
            } // else the first part's headers come without a delimiter before them (Tasmota)
            firstPart = false;
            Boolean image = readHeaders();
            if (image == null) {
                return end();
            }
            if (image) {
                inPart = true;
                return true;
            }
            discardBody();
            if (ended) {
                return false;
            }
            if (position() - start > maxSkipBytes) {
                throw new FetchException("no image part within " + maxSkipBytes + " bytes");
            }
            gapStart = position();
        }
    }

    /** Takes the delimiter from the body's first line when the Content-Type named none. */
    private boolean learnDelimiter() throws IOException, FetchException {
        if (!ensure(2) || buf[pos] != '-' || buf[pos + 1] != '-') {
            throw new FetchException("multipart body without a boundary does not start with a delimiter");
        }
        String line = readLine();
        if (line == null) {
            return false;
        }
        if (line.length() > MAX_BOUNDARY + 2) {
            throw new FetchException("boundary longer than " + MAX_BOUNDARY + " characters");
        }
        useDelimiter(line);
        return true;
    }

    private void useDelimiter(String line) {
        delimiterText = line;
        delimiter = line.getBytes(StandardCharsets.ISO_8859_1);
        int n = delimiter.length;
        Arrays.fill(shifts, n);
        for (int k = 0; k < n - 1; k++) {
            shifts[delimiter[k] & 0xFF] = n - 1 - k;
        }
    }

    /**
     * Reads a part's headers and leaves the body next.
     *
     * @return whether the part is an image, or null when the body ends first
     */
    private Boolean readHeaders() throws IOException, FetchException {
        String type = null;
        long length = -1;
        int count = 0;
        while (true) {
            if (ensure(2) && isSoiMarker(pos)) {
                break; // a JPEG right after the headers, without the blank line
            }
            String line = readLine();
            if (line == null) {
                return null;
            }
            if (line.isEmpty()) {
                break;
            }
            if (++count > MAX_HEADERS) {
                throw new FetchException("more than " + MAX_HEADERS + " header lines in a part");
            }
            if (line.equals(delimiterText)) {
                // Foscam G2 repeats the delimiter: an empty part, and the real one starts here.
                type = null;
                length = -1;
                continue;
            }
            if (line.equals(delimiterText + "--")) {
                return null;
            }
            int colon = line.indexOf(':');
            if (colon <= 0) {
                continue; // not a header; ignored rather than fatal, as browsers do
            }
            String name = line.substring(0, colon).trim();
            if (type == null && name.equalsIgnoreCase("Content-Type")) {
                type = line.substring(colon + 1).trim();
            } else if (length < 0 && name.equalsIgnoreCase("Content-Length")) {
                length = parseLength(line.substring(colon + 1).trim());
            }
        }
        partLength = length;
        if (length == 0) {
            return false;
        }
        if (type != null) {
            return mediaType(type).startsWith("image/");
        }
        return ensure(2) && isSoiMarker(pos);
    }

    /** One line without its line break and trailing spaces, or null when the body ends first. */
    private String readLine() throws IOException, FetchException {
        int searched = 0;
        while (true) {
            for (int i = pos + searched; i < limit; i++) {
                if (buf[i] == '\n') {
                    int end = i;
                    while (end > pos && isBlank(buf[end - 1])) {
                        end--;
                    }
                    String line = new String(buf, pos, end - pos, StandardCharsets.ISO_8859_1);
                    pos = i + 1;
                    return line;
                }
            }
            searched = limit - pos;
            if (searched > MAX_LINE) {
                throw new FetchException("part header line longer than " + MAX_LINE + " bytes");
            }
            if (!ensure(searched + 1)) {
                return null;
            }
        }
    }

    /** Whether the bytes at pos start like "Name:", i.e. a header line. */
    private boolean looksLikeHeader() throws IOException {
        for (int k = 0; k <= MAX_HEADER_NAME; k++) {
            if (!ensure(k + 1)) {
                return false;
            }
            byte b = buf[pos + k];
            if (b == ':') {
                return k > 0;
            }
            if (!isTokenChar(b)) {
                return false;
            }
        }
        return false;
    }

    /** Moves pos to the next full delimiter line; false at the end of the body. */
    private boolean seekDelimiter(long gapStart) throws IOException, FetchException {
        while (true) {
            int found = findDelimiter(pos, limit);
            if (found >= 0) {
                pos = found;
                return true;
            }
            pos = -found - 1;
            checkGap(gapStart, maxPartBytes);
            if (!ensure(limit - pos + 1)) {
                return false;
            }
        }
    }

    /**
     * The index of the first full delimiter line (the delimiter, an optional "--", optional spaces, a line
     * break or the end of the body) in {@code buf[from, to)}; else {@code -safe - 1}, where no delimiter can
     * start before {@code safe}. A Horspool search, then the line's tail.
     */
    private int findDelimiter(int from, int to) {
        int n = delimiter.length;
        int last = n - 1;
        byte lastByte = delimiter[last];
        int i = from;
        while (i + n <= to) {
            byte b = buf[i + last];
            if (b == lastByte && regionMatches(i)) {
                int tail = tailAt(i, to);
                if (tail == MATCH) {
                    return i;
                }
                if (tail == NEED_MORE) {
                    return -i - 1;
                }
            }
            i += shifts[b & 0xFF];
        }
        // Near the end only a start of the delimiter can make one with the bytes still to come; any other
        // bytes are safe now, so a JPEG whose EOI is among them ends without waiting for more.
        if (!(eof && to == limit)) {
            for (int p = i; p < to; p++) {
                if (isDelimiterStart(p, to)) {
                    return -p - 1;
                }
            }
        }
        return -to - 1;
    }

    private boolean isDelimiterStart(int at, int to) {
        for (int k = 0; at + k < to; k++) {
            if (buf[at + k] != delimiter[k]) {
                return false;
            }
        }
        return true;
    }

    private boolean regionMatches(int at) {
        byte[] d = delimiter;
        for (int k = 0; k < d.length; k++) {
            if (buf[at + k] != d[k]) {
                return false;
            }
        }
        return true;
    }

    /** {@link #tailAt} at pos, reading more as needed. */
    private int tailFrom(int at) throws IOException {
        int offset = at - pos;
        while (true) {
            int tail = tailAt(pos + offset, limit);
            if (tail != NEED_MORE) {
                return tail;
            }
            ensure(limit - pos + 1);
        }
    }

    /** Whether the delimiter at {@code at} (already matched) ends its line as a delimiter or a close delimiter. */
    private int tailAt(int at, int to) {
        boolean atEnd = eof && to == limit;
        int j = at + delimiter.length;
        boolean close = false;
        if (j < to && buf[j] == '-') {
            if (j + 1 == to) {
                return atEnd ? NO : NEED_MORE;
            }
            if (buf[j + 1] != '-') {
                return NO;
            }
            close = true;
            j += 2;
        }
        int padding = 0;
        while (j < to && (buf[j] == ' ' || buf[j] == '\t')) {
            if (++padding > MAX_PADDING) {
                return NO;
            }
            j++;
        }
        if (j == to) {
            return atEnd ? matched(j, close) : NEED_MORE;
        }
        if (buf[j] == '\n') {
            return matched(j + 1, close);
        }
        if (buf[j] == '\r') {
            if (j + 1 == to) {
                return atEnd ? matched(j + 1, close) : NEED_MORE;
            }
            return buf[j + 1] == '\n' ? matched(j + 2, close) : NO;
        }
        return NO;
    }

    private int matched(int end, boolean close) {
        matchEnd = end;
        matchClose = close;
        return MATCH;
    }

    // ---- raw JPEG run

    private boolean nextJpeg() throws IOException, FetchException {
        if (!seekSoi(position(), maxPartBytes)) {
            return end();
        }
        partLength = -1;
        inPart = true;
        return true;
    }

    /** Moves pos to the next SOI (FF D8 FF); false at the end of the body. */
    private boolean seekSoi(long gapStart, long window) throws IOException, FetchException {
        while (true) {
            int i = pos;
            while (i + 3 <= limit) {
                if (buf[i] == (byte) 0xFF && isSoi(i)) {
                    pos = i;
                    return true;
                }
                i++;
            }
            pos = i;
            checkGap(gapStart, window);
            if (!ensure(limit - pos + 1)) {
                return false;
            }
        }
    }

    // ---- bodies

    private void discardBody() throws IOException, FetchException {
        if (mode == Mode.MULTIPART && partLength >= 0 && partLength <= maxPartBytes) {
            skipExactly(partLength);
        } else {
            scanBody(false);
        }
    }

    private byte[] readExactly(int length) throws IOException, FetchException {
        byte[] out = new byte[length];
        int got = Math.min(length, limit - pos);
        System.arraycopy(buf, pos, out, 0, got);
        pos += got;
        // The rest goes straight from the body into the frame, copied once.
        while (got < length) {
            int n = in.read(out, got, length - got);
            if (n < 0) {
                eof = true;
                ended = true;
                throw new FetchException(TRUNCATED);
            }
            got += n;
            bytesRead += n;
        }
        return out;
    }

    private void skipExactly(long length) throws IOException {
        long left = length;
        while (left > 0) {
            if (pos == limit && !ensure(1)) {
                ended = true;
                return;
            }
            int n = (int) Math.min(left, limit - pos);
            pos += n;
            left -= n;
        }
    }

    /**
     * Finds the end of a part by its JPEG structure and, in a multipart body, its next delimiter line; holds
     * its bytes when asked and they fit. In a raw JPEG run the JPEG's end is all there is.
     *
     * @return the part (null when not holding)
     */
    private byte[] scanBody(boolean hold) throws IOException, FetchException {
        long start = position();
        boolean declaredTooLong = partLength > maxPartBytes;
        boolean keep = hold && !declaredTooLong;
        boolean oversized = hold && declaredTooLong;
        boolean multipart = mode == Mode.MULTIPART;
        boolean jpeg = !multipart || (ensure(2) && isSoiMarker(pos));
        boolean byDelimiter = false;
        held = 0;
        scanner.reset();
        // Stream positions: no delimiter starts before the first; the second is one found (the walker stops at
        // every segment edge, and searching the buffer again each time would cost a pass per segment).
        long searched = start;
        long found = -1;
        while (true) {
            if (pos == limit && !ensure(1)) {
                return truncated(hold);
            }
            int delimiterAt = -1;
            int stop = limit;
            if (multipart && !(jpeg && scanner.insideSegment())) {
                if (found < position()) {
                    int result = findDelimiter(Math.max(pos, indexOf(searched)), limit);
                    found = result >= 0 ? positionOf(result) : -1;
                    searched = positionOf(result >= 0 ? result : -result - 1);
                }
                if (found >= 0) {
                    delimiterAt = indexOf(found);
                    stop = delimiterAt;
                } else {
                    stop = indexOf(searched);
                }
            }
            if (jpeg) {
                int scanned = scanner.scan(buf, pos, stop);
                if (scanner.error() != null) {
                    if (!multipart) {
                        pos = scanned;
                        if (hold) {
                            throw new FetchException("broken JPEG in the stream: " + scanner.error());
                        }
                        return null;
                    }
                    jpeg = false; // not a JPEG, or a broken one: the delimiter alone ends it
                } else if (delimiterAt >= 0 && scanned == delimiterAt - 1 && !scanner.insideSegment()) {
                    // The walker waits for the byte after an FF, which is the delimiter's '-': no JPEG marker,
                    // so the JPEG was cut short there.
                    scanned = delimiterAt;
                    jpeg = false;
                }
                stop = scanned;
            }
            int n = stop - pos;
            if (keep && held + n > maxPartBytes) {
                keep = false;
                oversized = true;
            }
            if (keep) {
                hold(pos, n);
            }
            pos = stop;
            if (jpeg && scanner.ended()) {
                break;
            }
            if (delimiterAt >= 0 && pos == delimiterAt && !(jpeg && scanner.insideSegment())) {
                byDelimiter = true;
                break;
            }
            if (position() - start > maxSkipBytes) {
                // Say so when the part had declared a length beyond the limit: that is the clearer reason.
                throw giveUp((declaredTooLong ? "part of " + partLength + " bytes is larger than max_image_bytes ("
                        + maxPartBytes + ") and" : "part") + " did not end within " + maxSkipBytes + " bytes");
            }
            if (n == 0) { // the next decision needs more bytes than are here
                if (eof) {
                    return truncated(hold);
                }
                ensure(limit - pos + 1);
            }
        }
        if (oversized) {
            throw new FetchException(declaredTooLong
                    ? "part of " + partLength + " bytes is larger than max_image_bytes (" + maxPartBytes + ")"
                    : "part larger than max_image_bytes (" + maxPartBytes + ")");
        }
        if (!hold) {
            return null;
        }
        int size = held;
        if (byDelimiter && size > 0 && scratch[size - 1] == '\n') {
            size -= size > 1 && scratch[size - 2] == '\r' ? 2 : 1; // the line break belongs to the delimiter
        }
        return Arrays.copyOf(scratch, size);
    }

    private void hold(int from, int n) {
        if (held + n > scratch.length) {
            long grown = Math.max(held + n, Math.max(scratch.length * 2L, 16 * 1024));
            scratch = Arrays.copyOf(scratch, (int) Math.min(grown, maxPartBytes));
        }
        System.arraycopy(buf, from, scratch, held, n);
        held += n;
    }

    private byte[] truncated(boolean hold) throws FetchException {
        ended = true;
        if (hold) {
            throw new FetchException(TRUNCATED);
        }
        return null;
    }

    // ---- buffer

    private void decideMode(long window) throws IOException, FetchException {
        if (!skipBlank(position(), window)) {
            end();
            return;
        }
        mode = ensure(2) && buf[pos] == '-' && buf[pos + 1] == '-' ? Mode.MULTIPART : Mode.JPEG_RUN;
    }

    /** Passes over line breaks, spaces and tabs; false at the end of the body. */
    private boolean skipBlank(long gapStart, long window) throws IOException, FetchException {
        while (true) {
            while (pos < limit && isBlank(buf[pos])) {
                pos++;
            }
            if (pos < limit) {
                return true;
            }
            checkGap(gapStart, window);
            if (!ensure(1)) {
                return false;
            }
        }
    }

    private void checkGap(long gapStart, long window) throws FetchException {
        if (position() - gapStart > window) {
            throw new FetchException(mode == Mode.JPEG_RUN
                    ? "no JPEG start within " + window + " bytes"
                    : "no multipart delimiter within " + window + " bytes");
        }
    }

    /** Makes at least n bytes available from pos (n at most the buffer's size); false when the body ends first. */
    private boolean ensure(int n) throws IOException {
        while (limit - pos < n) {
            if (eof) {
                return false;
            }
            if (pos == limit) {
                pos = 0;
                limit = 0;
            } else if (buf.length - pos < n) {
                System.arraycopy(buf, pos, buf, 0, limit - pos);
                limit -= pos;
                pos = 0;
            }
            int read = in.read(buf, limit, buf.length - limit);
            if (read < 0) {
                eof = true;
                return false;
            }
            limit += read;
            bytesRead += read;
        }
        return true;
    }

    /** Bytes of the body consumed so far. */
    private long position() {
        return positionOf(pos);
    }

    private long positionOf(int index) {
        return bytesRead - (limit - index);
    }

    /** The buffer index of a stream position at or after pos (the buffer only ever drops bytes before pos). */
    private int indexOf(long position) {
        return (int) (limit - (bytesRead - position));
    }

    private boolean isSoi(int at) {
        return (buf[at] & 0xFF) == 0xFF && (buf[at + 1] & 0xFF) == 0xD8 && (buf[at + 2] & 0xFF) == 0xFF;
    }

    private boolean isSoiMarker(int at) {
        return (buf[at] & 0xFF) == 0xFF && (buf[at + 1] & 0xFF) == 0xD8;
    }

    private boolean end() {
        ended = true;
        return false;
    }

    private FetchException giveUp(String reason) {
        broken = new FetchException(reason);
        return broken;
    }

    private void checkUsable() throws FetchException {
        if (closed) {
            throw new IllegalStateException("part reader is closed");
        }
        if (broken != null) {
            throw new FetchException(broken.getMessage());
        }
    }

    private void requirePart() {
        if (!inPart) {
            throw new IllegalStateException("no current part; call next() first");
        }
    }

    private static boolean isBlank(byte b) {
        return b == '\r' || b == '\n' || b == ' ' || b == '\t';
    }

    private static boolean isTokenChar(byte b) {
        return b > 32 && b < 127 && "()<>@,;:\\\"/[]?={}".indexOf(b) < 0;
    }

    private static long parseLength(String value) {
        if (value.isEmpty() || value.length() > 18) {
            return -1;
        }
        for (int i = 0; i < value.length(); i++) {
            if (value.charAt(i) < '0' || value.charAt(i) > '9') {
                return -1;
            }
        }
        return Long.parseLong(value);
    }

    private static String mediaType(String contentType) {
        int semicolon = contentType.indexOf(';');
        return (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).trim().toLowerCase(Locale.ROOT);
    }
}

package org.mjpegserver.fetch;

import java.io.BufferedInputStream;
import java.io.IOException;

/** What an upstream body holds: a stream of parts, or one image as a snapshot URL answers. */
enum BodyKind {
    /** A multipart stream, by its Content-Type or because the body starts with "--" (after blank lines). */
    MULTIPART,
    /** Raw MJPEG: a complete JPEG, then another SOI (junk before the first is allowed). */
    JPEG_RUN,
    /** Anything else: read it as one body, as for a snapshot. */
    SINGLE;

    /** Junk allowed before the first JPEG of a raw run, and blank bytes after it. */
    static final int JUNK_WINDOW = 64 * 1024;

    /**
     * The kind of a response body. A {@code multipart/*} Content-Type decides without reading. Otherwise the
     * first bytes are read (blank bytes and junk up to {@link #JUNK_WINDOW} each, one JPEG of at most
     * {@code maxPartBytes}, the blank bytes after it; the mark limit covers them) and the stream is reset, so the caller reads it from its
     * start whatever the answer: with {@link PartReader#open} for a stream, or whole for a single body. On a body
     * that is neither, this reads until its end or those limits.
     */
    static BodyKind of(String contentType, BufferedInputStream body, long maxPartBytes) throws IOException {
        if (PartReader.isMultipart(contentType)) {
            return MULTIPART;
        }
        // Blank bytes, junk and blank bytes again (a window each), one JPEG, and the reader's read-ahead.
        long readAhead = maxPartBytes + 3L * (JUNK_WINDOW + 1) + 2L * PartReader.BUFFER;
        body.mark((int) Math.min(readAhead, Integer.MAX_VALUE - 8));
        try {
            return PartReader.open(body, contentType, maxPartBytes).probe(JUNK_WINDOW);
        } finally {
            body.reset();
        }
    }
}

package org.mjpegserver.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class MjpegReaderTest {

    private static final byte[] A = TestImages.jpeg(32, 24, "A");
    private static final byte[] B = TestImages.jpeg(32, 24, "B");

    @Test
    void readsPartsUntilEndOfStream() throws IOException {
        MjpegReader reader = reader(part(A), part(B));
        MjpegReader.Part first = reader.next();
        assertArrayEquals(A, first.jpeg());
        assertEquals("image/jpeg", first.headers().get("content-type"));
        assertEquals(String.valueOf(A.length), first.headers().get("Content-Length"));
        assertArrayEquals(B, reader.next().jpeg());
        assertNull(reader.next());
        assertNull(reader.next());
    }

    @Test
    void cleanEndsAreAccepted() throws IOException {
        assertEquals(1, countParts(reader(part(A), "--frame\r\n")));
        assertEquals(1, countParts(reader(part(A), "--frame--\r\n")));
        assertEquals(1, countParts(reader(part(A), "--frame--")));
        assertEquals(0, countParts(reader("")));
    }

    @Test
    void extraHeadersAreKept() throws IOException {
        String headers = "--frame\r\nContent-Type: image/jpeg\r\nX-Timestamp: 17\r\nContent-Length: " + A.length + "\r\n\r\n";
        MjpegReader.Part part = reader(headers, A, "\r\n").next();
        assertEquals("17", part.headers().get("X-Timestamp"));
    }

    @Test
    void readReturnsExactlyNOrFails() throws IOException {
        assertEquals(2, reader(part(A), part(B), part(A)).read(2).size());
        MjpegReader shortStream = reader(part(A));
        rejects(() -> shortStream.read(2), "stream ended after 1 of 2 requested parts");
    }

    @Test
    void openChecksStatusAndContentTypeOverHttp() throws IOException {
        try (FakeCamera server = FakeCamera.http()) {
            server.serve("/ok", multipart("Multipart/X-Mixed-Replace;  Boundary=frame"))
                    .serve("/other", multipart("multipart/x-mixed-replace; boundary=other"))
                    .serve("/down", Routes.status(503));
            try (MjpegReader reader = MjpegReader.open(server.url("/ok"))) {
                assertEquals(List.of("no-cache"), reader.headers().get("cache-control"));
                assertArrayEquals(A, reader.next().jpeg());
                assertNull(reader.next());
            }
            rejects(() -> MjpegReader.open(server.url("/other")), "got 'multipart/x-mixed-replace; boundary=other'");
            rejects(() -> MjpegReader.open(server.url("/down")), "expected HTTP 200");
        }
    }

    @Test
    void returnsAPartBeforeTheNextBoundaryArrives() throws IOException {
        // The stream refuses to be read past the first part, as a live stream would block there.
        byte[] bytes = bytes(part(A));
        InputStream stalling = new ByteArrayInputStream(bytes) {
            @Override
            public synchronized int read() {
                return guard(super.read());
            }

            @Override
            public synchronized int read(byte[] b, int off, int len) {
                return guard(super.read(b, off, len));
            }

            private int guard(int result) {
                if (result == -1) {
                    throw new AssertionError("reader waited for bytes beyond the part");
                }
                return result;
            }
        };
        assertArrayEquals(A, MjpegReader.of(stalling, "frame").next().jpeg());
    }

    @Test
    void rejectsEachKindOfMalformedInput() {
        String head = "Content-Type: image/jpeg\r\nContent-Length: " + A.length + "\r\n\r\n";
        rejects(reader("\r\n", part(A)), "does not start with '--frame'");
        rejects(reader("junk", part(A)), "does not start with '--frame'");
        rejects(reader("--frame\n" + head, A, "\r\n"), "not exactly '--frame' CRLF");
        rejects(reader("--frame \r\n" + head, A, "\r\n"), "not exactly '--frame' CRLF");
        rejects(reader(part(A), "--frameX\r\n" + head, A, "\r\n"), "not exactly '--frame' CRLF");
        rejects(reader("--frame\r\nContent-Length: " + A.length + "\r\n\r\n", A, "\r\n"),
                "Content-Type must be image/jpeg, got none");
        rejects(reader("--frame\r\nContent-Type: image/png\r\nContent-Length: " + A.length + "\r\n\r\n", A, "\r\n"),
                "Content-Type must be image/jpeg, got 'image/png'");
        rejects(reader("--frame\r\nContent-Type: image/jpeg\r\n\r\n", A, "\r\n"), "no Content-Length");
        rejects(reader("--frame\r\nContent-Type: image/jpeg\r\nContent-Length: 12a\r\n\r\n", A, "\r\n"),
                "Content-Length is not a sane number: '12a'");
        rejects(reader("--frame\r\nContent-Type: image/jpeg\nContent-Length: 9\r\n\r\n"), "does not end with CRLF");
        rejects(reader(part(new byte[] {1, 2, 3, 4, (byte) 0xFF, (byte) 0xD9})), "does not start with JPEG SOI");
        rejects(reader(part(new byte[] {(byte) 0xFF, (byte) 0xD8, 3, 4, 5, 6})), "does not end with JPEG EOI");
        rejects(reader("--frame\r\n" + head, A, "--frame\r\n"), "missing CRLF after the body, got '--'");
        rejects(reader("--frame\r\n" + head, A), "missing CRLF after the body, got end of stream");
        rejects(reader("--frame\r\n" + head, new byte[] {(byte) 0xFF, (byte) 0xD8}), "stream ended after 2 of");
        rejects(reader(part(A), "--frame\r\nContent-Type: image/jpeg\r\n"), "part 2: part header line");
    }

    private static void rejects(MjpegReader reader, String expected) {
        rejects(() -> countParts(reader), expected);
    }

    private static void rejects(Executable action, String expected) {
        MjpegFormatException e = assertThrows(MjpegFormatException.class, action);
        assertTrue(e.getMessage().contains(expected), () -> "message '" + e.getMessage() + "' lacks '" + expected + "'");
    }

    private static int countParts(MjpegReader reader) throws IOException {
        int n = 0;
        while (reader.next() != null) {
            n++;
        }
        return n;
    }

    private static Route multipart(String contentType) {
        return exchange -> {
            exchange.getResponseHeaders().set("Content-Type", contentType);
            exchange.getResponseHeaders().set("Cache-Control", "no-cache");
            exchange.sendResponseHeaders(200, 0);
            exchange.getResponseBody().write(part(A));
        };
    }

    /** One well-formed part, exactly as the server writes it. */
    private static byte[] part(byte[] jpeg) {
        return bytes("--frame\r\nContent-Type: image/jpeg\r\nContent-Length: " + jpeg.length + "\r\n\r\n", jpeg, "\r\n");
    }

    private static MjpegReader reader(Object... pieces) {
        return MjpegReader.of(new ByteArrayInputStream(bytes(pieces)), "frame");
    }

    private static byte[] bytes(Object... pieces) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Object piece : pieces) {
            out.writeBytes(piece instanceof byte[] b ? b : piece.toString().getBytes(StandardCharsets.ISO_8859_1));
        }
        return out.toByteArray();
    }
}

package org.mjpegserver.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A camera that streams MJPEG over a raw socket on 127.0.0.1, byte for byte as a {@link StreamProfile}'s device
 * does (a raw socket, because several devices break HTTP conventions: HTTP/1.0 with chunked encoding, headers
 * without a space after the colon). Any path serves the stream. Frames come from a pool of JPEGs, each stamped
 * with its number in a COM segment ({@link #frameNumber}); the rate, the frames per connection, auth, a one-client
 * limit and faults are set at any time and apply to the next connection. It counts connections and frames, and
 * {@link #dropAll()} drops every connection at once, as a camera reboots.
 */
public final class StreamingCamera implements AutoCloseable {

    /** How the camera misbehaves. */
    public enum Fault {
        NONE,
        /** Reads the request and never answers. */
        STALL,
        /** Sends the response head, then nothing. */
        STALL_AFTER_HEAD,
        /** Sends {@link #frames} whole frames (1 if unlimited), half of the next one, then nothing. */
        STALL_MID_FRAME,
        /** Sends the response head and one byte of body, then closes. */
        CLOSE_AFTER_ONE_BYTE,
        /** Random bytes after the response head, without end. */
        GARBAGE,
        /** A delimiter, a part header line that never ends. */
        ENDLESS_HEADER_LINE,
        /** A delimiter, then part header lines without end. */
        ENDLESS_HEADERS,
        /** An image part without Content-Length whose JPEG never ends. */
        ENDLESS_PART,
        /** An image part with Content-Length 2147483648, whose bytes are then sent. */
        HUGE_PART,
        /** Parts delimited by a boundary other than the one the head declares. */
        WRONG_BOUNDARY,
        /** 401 whatever the credentials. */
        UNAUTHORIZED,
        /** 503, as a camera busy with another client. */
        UNAVAILABLE
    }

    /** What a camera that allows one client does with a second one. */
    public enum ClientLimit {
        NONE,
        /** Answers 503 and closes. */
        REFUSE,
        /** Accepts it and sends nothing until the first client has gone. */
        STARVE
    }

    public static final long HUGE_LENGTH = 2_147_483_648L;
    private static final int MAX_REQUEST_HEAD = 16 * 1024;
    private static volatile List<byte[]> defaultPool;

    private final ServerSocket server;
    private final String baseUrl;
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "streaming-camera");
        t.setDaemon(true);
        return t;
    });
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final Semaphore streamSlot = new Semaphore(1);
    private final AtomicInteger connections = new AtomicInteger();
    private final List<Long> connectionTimes = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final AtomicInteger concurrent = new AtomicInteger();
    private final AtomicInteger maxConcurrent = new AtomicInteger();
    private final AtomicInteger streams = new AtomicInteger();
    private final AtomicLong framesSent = new AtomicLong();
    private final AtomicLong bodyBytesSent = new AtomicLong();
    private final AtomicLong frameNumbers = new AtomicLong();

    private volatile StreamProfile profile;
    private volatile List<byte[]> pool;
    private volatile double fps = 10;
    private volatile int frames = -1;
    private volatile Fault fault = Fault.NONE;
    private volatile ClientLimit clientLimit = ClientLimit.NONE;
    private volatile String basicAuthorization;
    private volatile String bearerAuthorization;
    private volatile DigestAuth digest;
    private volatile Map<String, String> lastRequestHeaders = Map.of();

    private StreamingCamera(ServerSocket server, String scheme, StreamProfile profile) {
        this.server = server;
        this.profile = profile;
        this.baseUrl = scheme + "://127.0.0.1:" + server.getLocalPort();
        threads.execute(this::acceptLoop);
    }

    /** Plain HTTP. */
    public static StreamingCamera http(StreamProfile profile) {
        try {
            return new StreamingCamera(new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1")), "http", profile);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** HTTPS with a fresh self-signed certificate, as Kasa cameras serve their stream. */
    public static StreamingCamera https(StreamProfile profile) {
        try {
            ServerSocket socket = FakeCamera.selfSignedContext().getServerSocketFactory()
                    .createServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
            return new StreamingCamera(socket, "https", profile);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The stream's URL; any path serves it. */
    public String url() {
        return baseUrl + "/stream";
    }

    public String url(String pathAndQuery) {
        return baseUrl + pathAndQuery;
    }

    public StreamingCamera profile(StreamProfile profile) {
        this.profile = profile;
        return this;
    }

    /** Frames a second; 0 sends them as fast as the socket takes them. */
    public StreamingCamera fps(double fps) {
        this.fps = fps;
        return this;
    }

    /** Whole frames per connection before the stream ends as the profile ends it; -1 (the default) for no end. */
    public StreamingCamera frames(int frames) {
        this.frames = frames;
        return this;
    }

    /** The JPEGs to send in turn (default: three 320x240 pictures). */
    public StreamingCamera images(List<byte[]> jpegs) {
        if (jpegs.isEmpty()) {
            throw new IllegalArgumentException("at least one image");
        }
        this.pool = List.copyOf(jpegs);
        return this;
    }

    public StreamingCamera fault(Fault fault) {
        this.fault = fault;
        return this;
    }

    public StreamingCamera clientLimit(ClientLimit limit) {
        this.clientLimit = limit;
        return this;
    }

    public StreamingCamera basic(String user, String pass) {
        basicAuthorization = "Basic " + Base64.getEncoder().encodeToString((user + ":" + pass).getBytes(StandardCharsets.UTF_8));
        return this;
    }

    /** RFC 7616 Digest, MD5 with qop="auth", realm "camera". */
    public StreamingCamera digest(String user, String pass) {
        digest = new DigestAuth(user, pass, exchange -> {
            throw new IllegalStateException("not served by a route");
        });
        return this;
    }

    public StreamingCamera bearer(String token) {
        bearerAuthorization = "Bearer " + token;
        return this;
    }

    /** TCP connections accepted so far. */
    public int connections() {
        return connections.get();
    }

    /** {@link System#nanoTime()} of every connection accepted so far, in order. */
    public List<Long> connectionTimes() {
        return List.copyOf(connectionTimes);
    }

    public int concurrentConnections() {
        return concurrent.get();
    }

    public int maxConcurrentConnections() {
        return maxConcurrent.get();
    }

    /** Responses with status 200 begun so far. */
    public int streamsStarted() {
        return streams.get();
    }

    /** Frames sent whole, over all connections. */
    public long framesSent() {
        return framesSent.get();
    }

    /** Body bytes handed to sockets, over all connections (chunk framing excluded). */
    public long bodyBytesSent() {
        return bodyBytesSent.get();
    }

    /** Headers of the latest request; lookups ignore case. */
    public Map<String, String> lastRequestHeaders() {
        return lastRequestHeaders;
    }

    /** Drops every open connection now, as a camera that reboots; new connections are accepted as before. */
    public void dropAll() {
        for (Socket socket : open) {
            closeQuietly(socket);
        }
    }

    /** The number stamped in a frame this camera sent, or -1. */
    public static long frameNumber(byte[] jpeg) {
        try {
            String comment = TestImages.comment(jpeg);
            return comment != null && comment.startsWith("frame ") ? Long.parseLong(comment.substring(6)) : -1;
        } catch (IllegalArgumentException e) {
            return -1;
        }
    }

    @Override
    public void close() {
        closeQuietly(server);
        dropAll();
        threads.shutdownNow();
        try {
            threads.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                connectionTimes.add(System.nanoTime());
                connections.incrementAndGet();
                maxConcurrent.accumulateAndGet(concurrent.incrementAndGet(), Math::max);
                open.add(socket);
                threads.execute(() -> serve(socket));
            } catch (IOException e) {
                // closed
            }
        }
    }

    private void serve(Socket socket) {
        boolean holdsSlot = false;
        try (socket) {
            socket.setTcpNoDelay(true);
            socket.setSoTimeout(30_000);
            InputStream in = socket.getInputStream();
            OutputStream out = socket.getOutputStream();
            boolean second = concurrent.get() > 1;
            if (clientLimit == ClientLimit.REFUSE && second) {
                readRequest(in);
                respond(out, "503 Service Unavailable", "");
                return;
            }
            // Read requests until one is authorized; a 401 keeps the connection, as cameras do for Digest.
            while (true) {
                Request request = readRequest(in);
                if (request == null) {
                    return;
                }
                if (fault == Fault.STALL) {
                    stall(socket, in);
                    return;
                }
                if (fault == Fault.UNAVAILABLE) {
                    respond(out, "503 Service Unavailable", "");
                    return;
                }
                String challenge = challenge(request);
                if (challenge == null && fault != Fault.UNAUTHORIZED) {
                    break;
                }
                respond(out, "401 Unauthorized", "WWW-Authenticate: " + (challenge == null ? "Basic realm=\"camera\"" : challenge) + "\r\n");
            }
            if (clientLimit == ClientLimit.STARVE) {
                streamSlot.acquire();
                holdsSlot = true;
            }
            streams.incrementAndGet();
            stream(socket, in, new Wire(out, profile));
        } catch (IOException e) {
            // The client went away, or the camera dropped it.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            if (holdsSlot) {
                streamSlot.release();
            }
            open.remove(socket);
            concurrent.decrementAndGet();
        }
    }

    /** The challenge to answer with, or null when the request's credentials are right (or none are asked for). */
    private String challenge(Request request) {
        String authorization = request.headers().get("Authorization");
        DigestAuth digestAuth = digest;
        if (digestAuth != null) {
            return digestAuth.accepts(authorization, request.method(), request.target()) ? null : digestAuth.challenge();
        }
        if (basicAuthorization != null) {
            return basicAuthorization.equals(authorization) ? null : "Basic realm=\"camera\"";
        }
        if (bearerAuthorization != null) {
            return bearerAuthorization.equals(authorization) ? null : "Bearer realm=\"camera\"";
        }
        return null;
    }

    private void stream(Socket socket, InputStream in, Wire wire) throws IOException {
        StreamProfile p = wire.profile;
        wire.head();
        String delimiter = p.delimiter() == null ? "--frame" : p.delimiter();
        switch (fault) {
            case STALL_AFTER_HEAD -> stall(socket, in);
            case CLOSE_AFTER_ONE_BYTE -> wire.write(StreamProfile.ascii(delimiter), 0, 1);
            case GARBAGE -> {
                Random random = new Random();
                byte[] noise = new byte[16 * 1024];
                while (true) {
                    random.nextBytes(noise);
                    wire.body(List.of(noise));
                }
            }
            case ENDLESS_HEADER_LINE -> {
                wire.body(List.of(StreamProfile.ascii(delimiter + "\r\nContent-Type: image/jpeg\r\nX-Padding: ")));
                byte[] padding = new byte[8 * 1024];
                Arrays.fill(padding, (byte) 'a');
                while (true) {
                    wire.body(List.of(padding));
                }
            }
            case ENDLESS_HEADERS -> {
                wire.body(List.of(StreamProfile.ascii(delimiter + "\r\nContent-Type: image/jpeg\r\n")));
                for (long i = 0; ; i++) {
                    wire.body(List.of(StreamProfile.ascii("X-Header-" + i + ": value\r\n")));
                }
            }
            case ENDLESS_PART -> {
                byte[] jpeg = nextFrame();
                // The JPEG without its EOI, then entropy-coded data without end: no marker, no delimiter.
                wire.body(List.of(StreamProfile.ascii(delimiter + "\r\nContent-Type: image/jpeg\r\n\r\n"), Arrays.copyOf(jpeg, jpeg.length - 2)));
                byte[] data = new byte[16 * 1024];
                Arrays.fill(data, (byte) 0x3C);
                while (true) {
                    wire.body(List.of(data));
                }
            }
            case HUGE_PART -> {
                wire.body(List.of(StreamProfile.ascii(delimiter + "\r\nContent-Type: image/jpeg\r\nContent-Length: " + HUGE_LENGTH + "\r\n\r\n")));
                byte[] data = new byte[64 * 1024];
                Arrays.fill(data, (byte) 0x55);
                for (long left = HUGE_LENGTH; left > 0; left -= data.length) {
                    wire.write(data, 0, (int) Math.min(data.length, left));
                }
                wire.finish();
            }
            case WRONG_BOUNDARY -> frames(socket, in, wire, (n, jpeg) -> List.of(StreamProfile.ascii(
                    "--wrong-boundary\r\nContent-Type: image/jpeg\r\nContent-Length: " + jpeg.length + "\r\n\r\n"), jpeg, StreamProfile.ascii("\r\n")));
            default -> frames(socket, in, wire, p::frame);
        }
    }

    private void frames(Socket socket, InputStream in, Wire wire, StreamProfile.FrameFormat format) throws IOException {
        double rate = fps;
        long period = rate > 0 ? (long) (1e9 / rate) : 0;
        int count = frames;
        boolean stallMidFrame = fault == Fault.STALL_MID_FRAME;
        if (stallMidFrame && count < 0) {
            count = 1;
        }
        wire.body(List.of(wire.profile.start()));
        long due = System.nanoTime();
        for (int i = 0; count < 0 || i < count; i++) {
            long number = frameNumbers.incrementAndGet();
            wire.body(format.writes(number, stamp(number)));
            framesSent.incrementAndGet();
            if (period > 0) {
                due += period;
                sleepUntil(due);
            }
        }
        if (stallMidFrame) {
            long number = frameNumbers.incrementAndGet();
            byte[] whole = StreamProfile.concat(format.writes(number, stamp(number)).toArray(new byte[0][]));
            wire.body(List.of(Arrays.copyOf(whole, whole.length / 2)));
            stall(socket, in);
            return;
        }
        wire.body(List.of(wire.profile.end()));
        wire.finish();
    }

    private byte[] stamp(long number) {
        return TestImages.withComment(images().get((int) (number % images().size())), "frame " + number);
    }

    private byte[] nextFrame() {
        return stamp(frameNumbers.incrementAndGet());
    }

    private List<byte[]> images() {
        List<byte[]> jpegs = pool;
        if (jpegs == null) {
            jpegs = defaultPool;
            if (jpegs == null) {
                jpegs = List.of(TestImages.jpeg(320, 240, "cam 0"), TestImages.jpeg(320, 240, "cam 1"), TestImages.jpeg(320, 240, "cam 2"));
                defaultPool = jpegs;
            }
        }
        return jpegs;
    }

    private record Request(String method, String target, Map<String, String> headers) {
    }

    /** The request's line and headers; null when the client closed before a whole one. */
    private Request readRequest(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0 || head.size() >= MAX_REQUEST_HEAD) {
                return null;
            }
            head.write(b);
            matched = (b == '\r' && (matched == 0 || matched == 2)) || (b == '\n' && (matched == 1 || matched == 3)) ? matched + 1
                    : b == '\r' ? 1 : 0;
        }
        String[] lines = head.toString(StandardCharsets.ISO_8859_1).split("\r\n");
        Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0) {
                headers.put(lines[i].substring(0, colon).trim(), lines[i].substring(colon + 1).trim());
            }
        }
        lastRequestHeaders = Collections.unmodifiableMap(headers);
        String[] requestLine = lines[0].split(" ");
        return requestLine.length >= 2 ? new Request(requestLine[0], requestLine[1], lastRequestHeaders)
                : new Request("GET", "/", lastRequestHeaders);
    }

    private static void respond(OutputStream out, String status, String headers) throws IOException {
        out.write(StreamProfile.ascii("HTTP/1.1 " + status + "\r\n" + headers + "Content-Length: 0\r\n\r\n"));
        out.flush();
    }

    /** Holds the connection without sending, until the client or the camera closes it. */
    private static void stall(Socket socket, InputStream in) throws IOException {
        socket.setSoTimeout(0);
        while (in.read() >= 0) {
            // discard whatever the client sends
        }
    }

    private static void sleepUntil(long due) {
        long wait = due - System.nanoTime();
        if (wait > 0) {
            try {
                TimeUnit.NANOSECONDS.sleep(wait);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static void closeQuietly(java.io.Closeable closeable) {
        try {
            closeable.close();
        } catch (IOException e) {
            // nothing left to do
        }
    }

    /** The body on the wire: written as the device writes, or in HTTP/1.1 chunks. */
    private final class Wire {
        final OutputStream out;
        final StreamProfile profile;
        private int nextSize;

        Wire(OutputStream out, StreamProfile profile) {
            this.out = out;
            this.profile = profile;
        }

        void head() throws IOException {
            out.write(StreamProfile.ascii(profile.head()));
            out.flush();
        }

        /** One frame's (or other content's) writes, flushed. */
        void body(List<byte[]> writes) throws IOException {
            int[] sizes = profile.chunkSizes();
            if (profile.isChunked() && sizes.length > 0) {
                byte[] all = StreamProfile.concat(writes.toArray(new byte[0][]));
                for (int at = 0; at < all.length; ) {
                    int n = Math.min(sizes[nextSize++ % sizes.length], all.length - at);
                    write(all, at, n);
                    at += n;
                }
            } else {
                for (byte[] piece : writes) {
                    write(piece, 0, piece.length);
                }
            }
        }

        void write(byte[] bytes, int from, int length) throws IOException {
            if (length == 0) {
                return;
            }
            if (profile.isChunked()) {
                out.write(StreamProfile.ascii(Integer.toHexString(length) + "\r\n"));
            }
            out.write(bytes, from, length);
            if (profile.isChunked()) {
                out.write('\r');
                out.write('\n');
            }
            out.flush();
            bodyBytesSent.addAndGet(length);
        }

        /** The last chunk of a chunked body; nothing for a body that ends when the connection closes. */
        void finish() throws IOException {
            if (profile.isChunked()) {
                out.write(StreamProfile.ascii("0\r\n\r\n"));
                out.flush();
            }
        }
    }

}

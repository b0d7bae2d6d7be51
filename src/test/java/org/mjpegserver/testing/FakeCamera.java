package org.mjpegserver.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * A real HTTP(S) server on 127.0.0.1 standing in for IP cameras: routes per path,
 * a global "down" switch, and per-path request statistics.
 */
public final class FakeCamera implements AutoCloseable {

    private static final Route NOT_FOUND = Routes.status(404);
    private static final Route UNAVAILABLE = Routes.status(503);
    private static final char[] KEYSTORE_PASSWORD = "changeit".toCharArray();

    private final HttpServer server;
    private final ExecutorService executor;
    private final String baseUrl;
    private final Map<String, Route> routes = new ConcurrentHashMap<>();
    private final Map<String, PathStats> stats = new ConcurrentHashMap<>();
    private volatile boolean down;

    private FakeCamera(HttpServer server, String scheme) {
        this.server = server;
        // Cached pool: routes like hang() and trickle() park a thread per request.
        this.executor = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "fake-camera");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/", this::dispatch);
        server.start();
        this.baseUrl = scheme + "://127.0.0.1:" + server.getAddress().getPort();
    }

    /** Plain HTTP; unchecked failure, so that a test's static {@code @Deployment} method can start one in a line. */
    public static FakeCamera http() {
        try {
            return new FakeCamera(HttpServer.create(loopback(), 0), "http");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** HTTPS with a fresh self-signed certificate for localhost / 127.0.0.1; no key file outlives the call. */
    public static FakeCamera https() {
        try {
            HttpsServer server = HttpsServer.create(loopback(), 0);
            server.setHttpsConfigurator(new HttpsConfigurator(selfSignedContext()));
            return new FakeCamera(server, "https");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String url(String path) {
        return baseUrl + path;
    }

    public FakeCamera serve(String path, Route route) {
        routes.put(path, route);
        return this;
    }

    /** While down, every path answers 503; connections are still accepted. */
    public void setDown(boolean down) {
        this.down = down;
    }

    public int requests(String path) {
        PathStats s = stats.get(path);
        return s == null ? 0 : s.requests.get();
    }

    /** The highest number of requests that were in flight at once on this path. */
    public int maxConcurrent(String path) {
        PathStats s = stats.get(path);
        return s == null ? 0 : s.maxInFlight.get();
    }

    public List<Instant> requestTimes(String path) {
        PathStats s = stats.get(path);
        return s == null ? List.of() : List.copyOf(s.times);
    }

    /** Headers of the latest request on this path; lookups ignore case. */
    public Map<String, String> lastRequestHeaders(String path) {
        PathStats s = stats.get(path);
        return s == null ? Map.of() : s.lastHeaders;
    }

    /** Stops at once: open connections are closed and blocked handlers interrupted. */
    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void dispatch(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        PathStats s = stats.computeIfAbsent(path, p -> new PathStats());
        s.begin(exchange);
        try {
            Route route = down ? UNAVAILABLE : routes.getOrDefault(path, NOT_FOUND);
            route.handle(exchange);
        } catch (IOException e) {
            // The client went away or the camera is closing; there is nobody left to answer.
        } finally {
            s.inFlight.decrementAndGet();
            exchange.close();
        }
    }

    private static InetSocketAddress loopback() throws IOException {
        return new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0);
    }

    /** Uses the JDK's own keytool so that no certificate library is needed. */
    static SSLContext selfSignedContext() throws IOException {
        Path dir = Files.createTempDirectory("fake-camera");
        Path file = dir.resolve("camera.p12");
        try {
            String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
            String password = new String(KEYSTORE_PASSWORD);
            Process process = new ProcessBuilder(keytool, "-genkeypair", "-alias", "camera",
                    "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
                    "-dname", "CN=localhost", "-ext", "SAN=ip:127.0.0.1,dns:localhost",
                    "-storetype", "PKCS12", "-keystore", file.toString(),
                    "-storepass", password, "-keypass", password)
                    .redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes());
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IOException("keytool failed: " + output);
            }
            KeyStore keyStore = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(file)) {
                keyStore.load(in, KEYSTORE_PASSWORD);
            }
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(keyStore, KEYSTORE_PASSWORD);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(kmf.getKeyManagers(), null, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot build the camera's TLS context", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running keytool", e);
        } finally {
            // The key lives in memory from here on, so the files are not needed.
            Files.deleteIfExists(file);
            Files.deleteIfExists(dir);
        }
    }

    private static final class PathStats {
        final AtomicInteger requests = new AtomicInteger();
        final AtomicInteger inFlight = new AtomicInteger();
        final AtomicInteger maxInFlight = new AtomicInteger();
        final List<Instant> times = new CopyOnWriteArrayList<>();
        volatile Map<String, String> lastHeaders = Map.of();

        void begin(HttpExchange exchange) {
            times.add(Instant.now());
            requests.incrementAndGet();
            maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
            Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            exchange.getRequestHeaders().forEach((name, values) -> headers.put(name, String.join(", ", values)));
            lastHeaders = Collections.unmodifiableMap(headers);
        }
    }
}

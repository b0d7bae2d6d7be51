package org.mjpegserver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.catalina.Context;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mjpegserver.testing.Await;
import org.mjpegserver.testing.Deployments;
import org.mjpegserver.testing.Http;
import org.mjpegserver.testing.MjpegReader;
import org.mjpegserver.testing.StreamProfile;
import org.mjpegserver.testing.StreamingCamera;

/**
 * Beyond one machine, for real: a camera that allows one client feeds an origin instance; two edge instances
 * relay the origin's stream; Debian's nginx balances many viewers over the edges. The camera sees one
 * connection, the origin one per edge, and every viewer gets live camera frames. Stopping the origin lets go of
 * the camera at once. The nginx config is the README's ("Beyond one machine"). Skipped without nginx.
 */
final class TiersIT {

    private static final Path NGINX = Path.of("/usr/sbin/nginx");
    private static final int VIEWERS = 40;
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The README's load balancer, with the edges' addresses, the port and the temp folder filled in. */
    static final String NGINX_CONF = """
            daemon off;
            worker_processes 1;
            pid %1$s/nginx.pid;
            error_log %1$s/error.log info;
            events { worker_connections 1024; }
            http {
                access_log %1$s/access.log;
                client_body_temp_path %1$s/client_body;
                proxy_temp_path %1$s/proxy;
                fastcgi_temp_path %1$s/fastcgi;
                uwsgi_temp_path %1$s/uwsgi;
                scgi_temp_path %1$s/scgi;

                upstream mjpeg_edges {
                    server 127.0.0.1:%2$d;
                    server 127.0.0.1:%3$d;
                }
                server {
                    listen 127.0.0.1:%4$d;
                    location / {
                        proxy_pass http://mjpeg_edges;
                        proxy_http_version 1.1;
                        proxy_set_header Connection "";
                        proxy_set_header Host $host;
                        # Pass each frame on as it comes, and keep a stream open however long it is watched.
                        proxy_buffering off;
                        proxy_read_timeout 1h;
                    }
                }
            }
            """;

    @Test
    void twoEdgesBehindNginxRelayOneOriginThatHoldsTheCamerasOneConnection(@TempDir Path dir) throws Exception {
        assumeTrue(Files.isExecutable(NGINX), "nginx not installed");
        String previousConfig = System.getProperty(ConfigLocator.PROPERTY);
        ExecutorService threads = Executors.newFixedThreadPool(VIEWERS);
        try (StreamingCamera camera = StreamingCamera.http(StreamProfile.mjpgStreamer()).fps(10)
                        .clientLimit(StreamingCamera.ClientLimit.REFUSE);
                EmbeddedTomcat origin = EmbeddedTomcat.start(0);
                EmbeddedTomcat edgeA = EmbeddedTomcat.start(0);
                EmbeddedTomcat edgeB = EmbeddedTomcat.start(0)) {
            Context originApp = deploy(origin, camera.url());
            String relayed = origin.base() + "images/cam/stream?frame_rate=10";
            deploy(edgeA, relayed);
            deploy(edgeB, relayed);
            int port = freePort();
            Files.writeString(dir.resolve("nginx.conf"),
                    NGINX_CONF.formatted(dir, edgeA.port(), edgeB.port(), port), StandardCharsets.UTF_8);
            Process nginx = new ProcessBuilder(NGINX.toString(), "-p", dir.toString(), "-c", "nginx.conf", "-e", "error.log")
                    .redirectErrorStream(true).redirectOutput(dir.resolve("nginx.out").toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
            try {
                String front = "http://127.0.0.1:" + port + "/";
                Await.until(WAIT, () -> nginx.isAlive() && answers(front + "health"),
                        () -> "nginx answers /health: " + read(dir.resolve("nginx.out")) + read(dir.resolve("error.log")));

                List<CompletableFuture<Long>> viewers = new ArrayList<>();
                CountDownLatch looked = new CountDownLatch(1);
                for (int i = 0; i < VIEWERS; i++) {
                    viewers.add(CompletableFuture.supplyAsync(() -> newFramesSeen(front + "images/cam/stream?frame_rate=5", looked), threads));
                }
                // Every viewer watches at once: look at the tiers meanwhile.
                try {
                    Await.until(WAIT, () -> streams(edgeA) + streams(edgeB) == VIEWERS,
                            () -> "viewers on the edges: " + streams(edgeA) + " + " + streams(edgeB));
                    assertTrue(streams(edgeA) > 0 && streams(edgeB) > 0, "nginx balances over both edges");
                    assertEquals(2, streams(origin), "the origin serves one stream per edge");
                } finally {
                    looked.countDown();
                }
                for (CompletableFuture<Long> viewer : viewers) {
                    assertTrue(viewer.get(60, TimeUnit.SECONDS) > 0, "a viewer saw no new camera frame");
                }
                assertEquals(1, camera.connections(), "connections the camera saw");
                assertEquals(1, camera.maxConcurrentConnections());
            } finally {
                nginx.destroy();
                nginx.waitFor(10, TimeUnit.SECONDS);
            }

            // Stopping the origin's webapp drops the camera's connection at once: once Tomcat has waited its
            // unloadDelay (2 s) for the edges' open requests to end, the listener stops the relay first thing.
            long stopping = System.nanoTime();
            origin.undeploy(originApp);
            Await.until(Duration.ofSeconds(1), () -> camera.concurrentConnections() == 0,
                    () -> "the camera still has its connection after the origin stopped");
            long millis = (System.nanoTime() - stopping) / 1_000_000;
            System.out.println("The camera saw its connection closed " + millis + " ms after the origin began to stop");
            assertTrue(millis < 4000, "the camera's connection closed " + millis + " ms after the origin began to stop");
        } finally {
            threads.shutdownNow();
            restore(previousConfig);
        }
    }

    private static Context deploy(EmbeddedTomcat tomcat, String url) {
        EmbeddedTomcat.useConfig(Deployments.writeConfig("""
                mjpeg-server:
                  stream_fps: 5
                images:
                  cam: '%s'
                """.formatted(url)));
        return tomcat.deploy(EmbeddedTomcat.war());
    }

    /**
     * Reads a stream until a frame newer than its first comes from the camera and the test has {@code looked}
     * at the tiers; how much newer the last frame was.
     */
    private static long newFramesSeen(String url, CountDownLatch looked) {
        try (MjpegReader viewer = MjpegReader.open(url)) {
            long first = StreamingCamera.frameNumber(viewer.next().jpeg());
            long last = first;
            for (int i = 0; i < 1000 && (last <= first || looked.getCount() > 0); i++) {
                last = StreamingCamera.frameNumber(viewer.next().jpeg());
            }
            return first > 0 ? last - first : 0;
        } catch (IOException e) {
            throw new IllegalStateException(url, e);
        }
    }

    /** Open streams of the one image, as the instance's GET /images lists them. */
    private static int streams(EmbeddedTomcat tomcat) {
        try {
            JsonNode images = JSON.readTree(Http.getText(tomcat.base() + "images").body());
            return images.path("cam").path("streams").size();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Whether the URL answers 200; false while nothing listens there yet. */
    private static boolean answers(String url) {
        try {
            return Http.getText(url).statusCode() == 200;
        } catch (UncheckedIOException e) {
            return false;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return socket.getLocalPort();
        }
    }

    private static String read(Path file) {
        try {
            return Files.isRegularFile(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "";
        }
    }

    private static void restore(String previousConfig) {
        if (previousConfig == null) {
            System.clearProperty(ConfigLocator.PROPERTY);
        } else {
            System.setProperty(ConfigLocator.PROPERTY, previousConfig);
        }
    }
}

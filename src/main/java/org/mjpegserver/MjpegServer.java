package org.mjpegserver;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.mjpegserver.config.ConfigException;
import org.mjpegserver.config.ImageConfig;
import org.mjpegserver.config.ServerConfig;
import org.mjpegserver.fetch.Poller;
import org.mjpegserver.frames.FrameStore;
import org.mjpegserver.frames.ImageFeed;
import org.mjpegserver.image.InvalidImageException;
import org.mjpegserver.image.JpegCodec;
import org.mjpegserver.image.Placeholder;
import org.mjpegserver.stream.StreamClock;

/** The running server: a poller per image feeding the frame store, and the clock that paces the streams. */
final class MjpegServer implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(MjpegServer.class.getName());
    private static final long STALE_CHECK_MILLIS = 200;
    private static final int MAX_POLLER_THREADS = 32;

    private final FrameStore store = new FrameStore();
    private final StreamClock clock = new StreamClock(Runtime.getRuntime().availableProcessors());
    private final ScheduledExecutorService pollerThreads;
    private final Map<String, Poller> pollers = new LinkedHashMap<>();

    private MjpegServer(ServerConfig config) throws ConfigException {
        // A fetch blocks its thread for up to the read timeout, so one slow camera must not hold up another.
        pollerThreads = threads("mjpeg-poller", Math.max(2, Math.min(MAX_POLLER_THREADS, config.images().size() + 1)));
        Map<String, byte[]> staleImages = new HashMap<>();
        Map<String, ImageFeed> feeds = new LinkedHashMap<>();
        for (ImageConfig image : config.images().values()) {
            byte[] stale = staleImage(config, image, staleImages);
            feeds.put(image.id(), new ImageFeed(image, stale));
        }
        store.replace(feeds);
        for (ImageFeed feed : feeds.values()) {
            Poller poller = new Poller(feed, pollerThreads);
            pollers.put(feed.id(), poller);
            poller.start();
        }
        pollerThreads.scheduleWithFixedDelay(this::checkStale, STALE_CHECK_MILLIS, STALE_CHECK_MILLIS, TimeUnit.MILLISECONDS);
    }

    static MjpegServer start(ServerConfig config) throws ConfigException {
        return new MjpegServer(config);
    }

    FrameStore store() {
        return store;
    }

    StreamClock clock() {
        return clock;
    }

    private void checkStale() {
        try {
            store.checkStale();
        } catch (RuntimeException e) {
            LOG.log(Level.SEVERE, "Staleness check failed", e);
        }
    }

    /** Loads and converts each distinct stale image once; a broken one fails the start like any config error. */
    private static byte[] staleImage(ServerConfig config, ImageConfig image, Map<String, byte[]> cache) throws ConfigException {
        Path path = image.settings().staleImagePath();
        String key = path == null ? "" : path.toString();
        byte[] cached = cache.get(key);
        if (cached != null) {
            return cached;
        }
        byte[] jpeg;
        if (path == null) {
            jpeg = Placeholder.staleJpeg();
        } else {
            try {
                jpeg = JpegCodec.encode(JpegCodec.decode(java.nio.file.Files.readAllBytes(path), false, image.settings().maxImagePixels()));
            } catch (InvalidImageException | java.io.IOException e) {
                throw new ConfigException(config.file(), java.util.List.of(config.file() + ":" + image.line() + ": images."
                        + image.id() + ".stale_image_path: '" + path + "' cannot be used: " + e.getMessage()));
            }
        }
        cache.put(key, jpeg);
        return jpeg;
    }

    /** Stops pollers (aborting requests in flight), ends every stream and stops every thread this server started. */
    @Override
    public void close() {
        for (Poller poller : pollers.values()) {
            poller.stop();
        }
        pollerThreads.shutdownNow();
        for (ImageFeed feed : store.feeds()) {
            feed.endAll();
        }
        clock.close();
        try {
            if (!pollerThreads.awaitTermination(10, TimeUnit.SECONDS)) {
                LOG.warning("Pollers did not stop within 10 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static ScheduledExecutorService threads(String name, int count) {
        AtomicInteger number = new AtomicInteger();
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(count, task -> {
            Thread thread = new Thread(task, name + "-" + number.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        executor.setRemoveOnCancelPolicy(true);
        return executor;
    }
}

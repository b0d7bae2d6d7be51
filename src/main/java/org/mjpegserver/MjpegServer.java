package org.mjpegserver;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.mjpegserver.config.ConfigException;
import org.mjpegserver.config.ImageConfig;
import org.mjpegserver.config.ServerConfig;
import org.mjpegserver.config.Shaping;
import org.mjpegserver.fetch.FetchObserver;
import org.mjpegserver.fetch.Poller;
import org.mjpegserver.frames.FrameStore;
import org.mjpegserver.frames.ImageFeed;
import org.mjpegserver.image.FrameShaper;
import org.mjpegserver.image.InvalidImageException;
import org.mjpegserver.image.JpegCodec;
import org.mjpegserver.image.Placeholder;
import org.mjpegserver.stream.DaemonThreads;
import org.mjpegserver.stream.StreamClock;

/**
 * The running server: a poller per image feeding the frame store, and the clock that paces the streams.
 * {@link #apply} moves it to a new config: added images start, removed ones stop, changed ones restart, and
 * the rest keep running untouched, streams included.
 */
final class MjpegServer implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(MjpegServer.class.getName());
    private static final long STALE_CHECK_MILLIS = 200;
    private static final int MAX_POLLER_THREADS = 32;

    private final FrameStore store;
    private final StreamClock clock = new StreamClock(Runtime.getRuntime().availableProcessors());
    private final DaemonThreads pollerThreadFactory = new DaemonThreads("mjpeg-poller-");
    private final ScheduledThreadPoolExecutor pollerThreads;
    /** A thread per camera that streams, for as long as its stream is open: blocking reads, off the poller pool. */
    private final DaemonThreads streamThreadFactory = new DaemonThreads("mjpeg-stream-source-");
    private final ExecutorService streamThreads = Executors.newCachedThreadPool(streamThreadFactory);
    private final FetchObserver fetchObserver;
    // Guarded by this.
    private final Map<String, Poller> pollers = new HashMap<>();
    private ServerConfig config;

    private MjpegServer(FrameStore store, FetchObserver fetchObserver) {
        this.store = store;
        this.fetchObserver = fetchObserver;
        pollerThreads = new ScheduledThreadPoolExecutor(2, pollerThreadFactory);
        pollerThreads.setRemoveOnCancelPolicy(true);
    }

    static MjpegServer start(ServerConfig config, FrameStore store, FetchObserver fetchObserver) throws ConfigException {
        MjpegServer server = new MjpegServer(store, fetchObserver);
        try {
            server.apply(config);
        } catch (ConfigException e) {
            server.close();
            throw e;
        }
        server.pollerThreads.scheduleWithFixedDelay(server::checkStale, STALE_CHECK_MILLIS, STALE_CHECK_MILLIS, TimeUnit.MILLISECONDS);
        return server;
    }

    StreamClock clock() {
        return clock;
    }

    /**
     * Runs {@code next}. Everything that can fail (the stale images) is prepared before anything changes, so a
     * config that cannot run leaves the running one as it was.
     */
    synchronized void apply(ServerConfig next) throws ConfigException {
        Map<String, ImageFeed> running = new HashMap<>();
        store.feeds().forEach(feed -> running.put(feed.id(), feed));
        Map<String, ImageFeed> feeds = new LinkedHashMap<>();
        List<ImageFeed> starting = new ArrayList<>();
        Map<StaleKey, byte[]> staleImages = new HashMap<>();
        for (ImageConfig image : next.images().values()) {
            ImageFeed current = running.get(image.id());
            if (current != null && current.config().sameAs(image)) {
                feeds.put(image.id(), current);
            } else {
                ImageFeed feed = new ImageFeed(image, staleImage(next, image, staleImages), clock::execute);
                feeds.put(image.id(), feed);
                starting.add(feed);
            }
        }
        // A fetch blocks its thread for up to the read timeout, so one slow camera must not hold up another.
        int threads = Math.max(2, Math.min(MAX_POLLER_THREADS, feeds.size() + 1));
        if (threads > pollerThreads.getCorePoolSize()) {
            pollerThreads.setCorePoolSize(threads);
        }
        store.replace(feeds, next.defaults());
        List<String> removed = new ArrayList<>();
        for (ImageFeed old : running.values()) {
            if (feeds.get(old.id()) != old) {
                pollers.remove(old.id()).stop();
                old.endAll();
                if (!feeds.containsKey(old.id())) {
                    removed.add(old.id());
                    fetchObserver.removed(old.id());
                }
            }
        }
        for (ImageFeed feed : starting) {
            Poller poller = new Poller(feed, pollerThreads, streamThreads, fetchObserver);
            pollers.put(feed.id(), poller);
            poller.start();
        }
        if (config != null) {
            List<String> added = new ArrayList<>();
            List<String> restarted = new ArrayList<>();
            starting.forEach(feed -> (running.containsKey(feed.id()) ? restarted : added).add(feed.id()));
            LOG.info(() -> "Config reloaded: added " + added + ", removed " + removed + ", restarted " + restarted + ", "
                    + (feeds.size() - starting.size()) + " unchanged");
        }
        config = next;
    }

    private void checkStale() {
        try {
            store.checkStale();
        } catch (RuntimeException e) {
            LOG.log(Level.SEVERE, "Staleness check failed", e);
        }
    }

    /** Schedules {@code task} on the server's own threads, which stop with it. */
    void every(long millis, Runnable task) {
        pollerThreads.scheduleWithFixedDelay(task, millis, millis, TimeUnit.MILLISECONDS);
    }

    /** A stale image as one shaping makes it: images that share both share the bytes. */
    private record StaleKey(Path path, Shaping shaping) {
    }

    /** Loads, converts and shapes each distinct stale image once; a broken one fails like any config error. */
    private static byte[] staleImage(ServerConfig config, ImageConfig image, Map<StaleKey, byte[]> cache) throws ConfigException {
        Path path = image.settings().staleImagePath();
        StaleKey key = new StaleKey(path, image.settings().shaping());
        byte[] cached = cache.get(key);
        if (cached != null) {
            return cached;
        }
        long maxPixels = image.settings().maxImagePixels();
        try {
            byte[] jpeg = path == null ? Placeholder.staleJpeg()
                    : JpegCodec.encode(JpegCodec.decode(Files.readAllBytes(path), false, maxPixels));
            byte[] shaped = FrameShaper.staleImage(jpeg, path == null, key.shaping(), image.id(), maxPixels);
            cache.put(key, shaped);
            return shaped;
        } catch (InvalidImageException | IOException e) {
            throw new ConfigException(config.file(), List.of(config.file() + ":" + image.line() + ": images."
                    + image.id() + ".stale_image_path: '" + (path == null ? "built-in stale image" : path) + "' cannot be used: " + e.getMessage()));
        }
    }

    /** Stops pollers (aborting requests in flight), ends every stream and stops every thread this server started. */
    @Override
    public synchronized void close() {
        pollers.values().forEach(Poller::stop);
        pollers.clear();
        pollerThreads.shutdownNow();
        store.feeds().forEach(ImageFeed::endAll);
        clock.close();
        List<String> alive = new ArrayList<>(pollerThreadFactory.stop(pollerThreads, Duration.ofSeconds(10)));
        alive.addAll(streamThreadFactory.stop(streamThreads, Duration.ofSeconds(5)));
        if (!alive.isEmpty()) {
            LOG.warning("Fetching threads did not stop in time: " + alive);
        }
    }
}

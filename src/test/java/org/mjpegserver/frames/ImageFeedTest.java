package org.mjpegserver.frames;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mjpegserver.config.Credentials;
import org.mjpegserver.config.ImageConfig;
import org.mjpegserver.config.ImageSettings;
import org.mjpegserver.config.TimeoutBehavior;
import org.mjpegserver.testing.TestImages;

/** The feed's states and its log: one line per change of state, never one per failed attempt. */
final class ImageFeedTest {

    private static final long ONE_MINUTE = Duration.ofMinutes(1).toNanos();
    private final Logger logger = Logger.getLogger(ImageFeed.class.getName());
    private final List<LogRecord> records = new CopyOnWriteArrayList<>();
    private final Handler handler = new Handler() {
        @Override
        public void publish(LogRecord record) {
            records.add(record);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeEach
    void capture() {
        logger.addHandler(handler);
    }

    @AfterEach
    void release() {
        logger.removeHandler(handler);
    }

    @Test
    void logsOnceWhenFailingOnceWhenStaleAndOnceWhenRecovered() {
        ImageFeed feed = feed(TimeoutBehavior.LAST_FRAME);
        feed.publish(TestImages.jpeg(32, 24, "one"), Instant.now());
        assertEquals(FeedState.FRESH, feed.state());

        for (int attempt = 0; attempt < 10; attempt++) {
            feed.fail("HTTP 503");
        }
        assertEquals(FeedState.FAILING, feed.state());
        assertEquals(10, feed.fetchesFailed());
        assertEquals(List.of("Image 'cam' fetch failed: HTTP 503"), messages());

        for (int check = 0; check < 5; check++) {
            feed.checkStale(System.nanoTime() + ONE_MINUTE);
            feed.fail("connection refused");
        }
        assertEquals(FeedState.STALE, feed.state());
        assertEquals(2, records.size(), messages().toString());
        assertTrue(messages().get(1).startsWith("Image 'cam' is stale"), messages().get(1));
        assertTrue(messages().get(1).contains("connection refused") || messages().get(1).contains("HTTP 503"), messages().get(1));

        feed.publish(TestImages.jpeg(32, 24, "two"), Instant.now());
        assertEquals(FeedState.FRESH, feed.state());
        assertEquals(3, records.size(), messages().toString());
        assertEquals("Image 'cam' recovered", messages().get(2));
        assertEquals(Level.INFO, records.get(2).getLevel());
    }

    @Test
    void timeoutBehavioursChooseWhatAStaleFeedShows() {
        byte[] last = TestImages.jpeg(32, 24, "last");
        ImageFeed disconnect = feed(TimeoutBehavior.DISCONNECT);
        ImageFeed staleImage = feed(TimeoutBehavior.STALE_IMAGE);
        ImageFeed lastFrame = feed(TimeoutBehavior.LAST_FRAME);
        ImageFeed neverHadOne = feed(TimeoutBehavior.LAST_FRAME);
        for (ImageFeed feed : List.of(disconnect, staleImage, lastFrame)) {
            feed.publish(last, Instant.now());
        }
        for (ImageFeed feed : List.of(disconnect, staleImage, lastFrame, neverHadOne)) {
            feed.checkStale(System.nanoTime() + ONE_MINUTE);
            assertEquals(FeedState.STALE, feed.state());
        }
        assertNull(disconnect.current());
        assertTrue(disconnect.refusing());
        assertEquals(0, staleImage.current().sequence(), "the stale image");
        assertSame(lastFrame.latest(), lastFrame.current());
        assertEquals(0, neverHadOne.current().sequence(), "the stale image when there never was a frame");
    }

    private List<String> messages() {
        return records.stream().map(LogRecord::getMessage).toList();
    }

    @Test
    void aSnapshotWakesAnImageFetchedOnDemandButDoesNotRaiseTheRateOfOneFetchedAnyway() {
        ImageFeed onDemand = feed(TimeoutBehavior.DISCONNECT, 0);
        ImageFeed slow = feed(TimeoutBehavior.DISCONNECT, 0.2);
        for (ImageFeed feed : List.of(onDemand, slow)) {
            assertEquals(0, feed.demandFps(), "nobody watches yet");
            feed.snapshotRequested();
        }
        assertEquals(1, onDemand.demandFps(), "a snapshot wakes an image fetched on demand");
        assertEquals(0, slow.demandFps(), "a snapshot leaves the rate of an image fetched every 5 s at its minimum");
    }

    private static ImageFeed feed(TimeoutBehavior behavior) {
        return feed(behavior, ImageSettings.DEFAULTS.fetchMinimumFps(), TestImages.jpeg(32, 24, "stale"));
    }

    private static ImageFeed feed(TimeoutBehavior behavior, double minimumFps) {
        return feed(behavior, minimumFps, TestImages.jpeg(32, 24, "stale"));
    }

    /** A feed of image 'cam' with the default settings but for its timeout behaviour, minimum fetch rate and stale image. */
    static ImageFeed feed(TimeoutBehavior behavior, double minimumFps, byte[] staleJpeg) {
        ImageSettings d = ImageSettings.DEFAULTS;
        ImageSettings settings = new ImageSettings(d.streamFps(), minimumFps, d.fetchMaximumFps(), Duration.ofSeconds(30),
                behavior, d.imageValidation(), false, null, d.fetchAgentString(), d.maxImageBytes(), d.maxImagePixels(), null,
                d.readTimeout(), d.closeAfterLastViewer());
        ImageConfig config = new ImageConfig("cam", URI.create("http://127.0.0.1/snapshot.jpg"), Credentials.NONE, settings, 1);
        return new ImageFeed(config, staleJpeg, Runnable::run);
    }
}

package org.mjpegserver.frames;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.mjpegserver.config.ImageSettings;
import org.mjpegserver.config.TimeoutBehavior;
import org.mjpegserver.image.JpegDimensions;
import org.mjpegserver.testing.TestImages;

/** Sizes shared by their viewers: one scale per new frame and size, a bounded number of sizes, dropped when unwanted. */
final class RenditionsTest {

    private static final byte[] HD = TestImages.jpeg(1280, 720, "hd");

    @Test
    void viewersOfOneSizeShareOneScaledFramePerNewFrame() {
        ImageFeed feed = feed(TimeoutBehavior.LAST_FRAME);
        feed.publish(HD, Instant.now());
        Rendition small = feed.rendition(new SizeRequest(320, 0), feed.latest());
        List<Watcher> smallViewers = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            smallViewers.add(watch(feed, small));
        }
        Watcher full = watch(feed, null);
        long before = feed.framesScaled();

        for (int n = 0; n < 3; n++) {
            feed.publish(TestImages.jpeg(1280, 720, "frame " + n), Instant.now());
            Frame scaled = smallViewers.get(0).frames.get(n);
            assertEquals(new JpegDimensions(320, 180), JpegDimensions.of(scaled.jpeg()));
            assertEquals(feed.latest().sequence(), scaled.sequence());
            for (Watcher viewer : smallViewers) {
                assertSame(scaled, viewer.frames.get(n), "one frame, one wire part, for every viewer of the size");
            }
            assertSame(feed.latest(), full.frames.get(n), "the source size is not scaled");
            assertSame(scaled, feed.current(small), "repeats and snapshots at the size get the same frame");
        }
        assertEquals(3, feed.framesScaled() - before, "one scale per new frame");
        assertEquals(50, feed.renditions().get(0).viewerCount());
        assertTrue(feed.scaleSeconds() > 0);
    }

    @Test
    void theSameSizeIsOneRenditionWhateverWasAskedToGetThere() {
        ImageFeed feed = feed(TimeoutBehavior.LAST_FRAME);
        feed.publish(HD, Instant.now());
        Rendition byWidth = feed.rendition(new SizeRequest(320, 0), feed.latest());
        assertSame(byWidth, feed.rendition(new SizeRequest(400, 0), feed.latest()));
        assertSame(byWidth, feed.rendition(new SizeRequest(0, 180), feed.latest()));
        assertSame(byWidth, feed.rendition(new SizeRequest(1000, 200), feed.latest()));
        assertNull(feed.rendition(new SizeRequest(1920, 0), feed.latest()), "never larger than the source");
        assertEquals(1, feed.renditions().size());
    }

    @Test
    void beyondTheBoundARequestGetsTheNearestLiveSize() {
        ImageFeed feed = feed(TimeoutBehavior.LAST_FRAME);
        feed.publish(HD, Instant.now());
        int[] widths = {80, 320, 640, 960};
        for (int width : widths) {
            assertEquals(width, feed.rendition(new SizeRequest(width, 0), feed.latest()).width());
        }
        assertEquals(Renditions.MAX_SIZES, feed.renditions().size());
        assertEquals(960, feed.rendition(new SizeRequest(1200, 0), feed.latest()).width());
        assertEquals(320, feed.rendition(new SizeRequest(250, 0), feed.latest()).width(), "240 wide: nearest is 320");
        assertEquals(320, feed.rendition(new SizeRequest(0, 300), feed.latest()).width(), "480 wide: as near to 320, the smaller");
        assertEquals(80, feed.rendition(new SizeRequest(160, 0), feed.latest()).width());
        assertEquals(Renditions.MAX_SIZES, feed.renditions().size());
        for (int n = 0; n < 2; n++) {
            feed.publish(HD, Instant.now());
            for (int width : widths) {
                feed.at(feed.rendition(new SizeRequest(width, 0), feed.latest()), feed.latest());
            }
        }
        assertEquals(2 * widths.length, feed.framesScaled(), "the work per frame is bounded by the sizes alive");
    }

    @Test
    void aSizeNobodyWantsIsDroppedAfterItsLinger() {
        Renditions renditions = new Renditions(ImageSettings.DEFAULTS.maxImagePixels(), 0.85f);
        long now = System.nanoTime();
        Rendition streamed = renditions.resolve(320, now);
        Rendition snapshot = renditions.resolve(640, now);
        Watcher viewer = new Watcher(streamed);
        renditions.join(streamed, viewer);

        renditions.drop(now + Renditions.LINGER_NANOS + 1);
        assertEquals(List.of(streamed), renditions.live(), "a streamed size stays; a snapshot's size lingers, then goes");

        renditions.leave(streamed, viewer, now + Renditions.LINGER_NANOS + 2);
        renditions.drop(now + 2 * Renditions.LINGER_NANOS);
        assertEquals(List.of(streamed), renditions.live(), "it lingers after its last viewer left");
        renditions.drop(now + 2 * Renditions.LINGER_NANOS + 3);
        assertEquals(List.of(), renditions.live());
        assertNotSame(snapshot, renditions.resolve(640, now + 3 * Renditions.LINGER_NANOS), "made anew when asked again");
    }

    @Test
    void frameWithNoViewersAtASizeIsNotScaledUntilAsked() {
        ImageFeed feed = feed(TimeoutBehavior.LAST_FRAME);
        feed.publish(HD, Instant.now());
        Rendition small = feed.rendition(new SizeRequest(320, 0), feed.latest());
        feed.publish(HD, Instant.now());
        feed.publish(HD, Instant.now());
        assertEquals(0, feed.framesScaled(), "a snapshot-only size costs nothing per frame");
        Frame asked = feed.current(small);
        assertSame(asked, feed.current(small));
        assertEquals(1, feed.framesScaled());
    }

    @Test
    void theStaleImageIsScaledOncePerSize() {
        ImageFeed feed = feed(TimeoutBehavior.STALE_IMAGE);
        feed.publish(HD, Instant.now());
        Rendition small = feed.rendition(new SizeRequest(160, 0), feed.latest());
        Watcher viewer = watch(feed, small);
        feed.checkStale(System.nanoTime() + Duration.ofMinutes(1).toNanos());
        Frame stale = viewer.frames.get(0);
        assertEquals(0, stale.sequence());
        assertEquals(new JpegDimensions(160, 90), JpegDimensions.of(stale.jpeg()));
        for (int i = 0; i < 5; i++) {
            assertSame(stale, feed.current(small));
        }
        assertEquals(1, feed.framesScaled());
    }

    private static Watcher watch(ImageFeed feed, Rendition rendition) {
        Watcher watcher = new Watcher(rendition);
        feed.addViewer(watcher);
        return watcher;
    }

    /** A viewer that keeps what it is given. */
    private static final class Watcher implements Viewer {
        final List<Frame> frames = new CopyOnWriteArrayList<>();
        private final Rendition rendition;

        Watcher(Rendition rendition) {
            this.rendition = rendition;
        }

        @Override
        public void onFrame(Frame frame) {
            frames.add(frame);
        }

        @Override
        public void end() {
        }

        @Override
        public double fps() {
            return 15;
        }

        @Override
        public ViewerInfo info() {
            return new ViewerInfo(1, Instant.now(), null, 15, 15, frames.size());
        }

        @Override
        public Rendition rendition() {
            return rendition;
        }
    }

    private static ImageFeed feed(TimeoutBehavior behavior) {
        return ImageFeedTest.feed(behavior, ImageSettings.DEFAULTS.fetchMinimumFps(), TestImages.jpeg(640, 360, "stale"));
    }
}

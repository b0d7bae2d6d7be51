package org.mjpegserver.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

final class StreamClockTest {

    private static final long GRID = StreamClock.GRID_NANOS;

    @Test
    void aDelayEndsOnTheFirstGridPointAtOrAfterIt() {
        long[] nows = {0, 1, 123_456_789, GRID * 1000 - 1, -7_000_001, Long.MIN_VALUE / 4};
        long[] delays = {1_000_000, GRID, GRID + 1, 66_666_666, 1_000_000_000};
        for (long now : nows) {
            for (long delay : delays) {
                long wait = StreamClock.onGrid(now, delay);
                String what = "now " + now + ", delay " + delay + ": wait " + wait;
                assertEquals(0, Math.floorMod(now + wait, GRID), what + " does not end on the grid");
                assertTrue(wait >= delay, what + " is early");
                assertTrue(wait < delay + GRID, what + " skips a grid point");
            }
        }
    }

    @Test
    void aDelayAlreadyOnTheGridIsKept() {
        assertEquals(GRID * 3, StreamClock.onGrid(GRID * 10, GRID * 3));
    }

    @Test
    void aTickNeverRunsBeforeItsDelay() throws Exception {
        try (StreamClock clock = new StreamClock(1)) {
            for (long delay : new long[] {1_000_000, 2_500_000, 20_000_000}) {
                CompletableFuture<Long> ran = new CompletableFuture<>();
                long scheduled = System.nanoTime();
                clock.schedule(() -> ran.complete(System.nanoTime()), delay);
                long waited = ran.get(10, TimeUnit.SECONDS) - scheduled;
                assertTrue(waited >= delay, "ran after " + waited + " ns of a " + delay + " ns delay");
            }
        }
    }
}

package org.mjpegserver.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Polling for a condition with a deadline, instead of sleeping and hoping. */
public final class Await {

    private static final long STEP_MILLIS = 100;

    private Await() {
    }

    /** Returns once {@code condition} holds; fails with {@code message} at the deadline. */
    public static void until(Duration within, BooleanSupplier condition, Supplier<String> message) {
        long deadline = System.nanoTime() + within.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                fail("not within " + within.toMillis() + " ms: " + message.get());
            }
            pause(STEP_MILLIS);
        }
    }

    /** Sleeps until the {@link System#nanoTime()} value {@code nanos}, for tests that follow a known schedule. */
    public static void untilNanos(long nanos) {
        long left;
        while ((left = nanos - System.nanoTime()) > 0) {
            pause(Math.max(1, left / 1_000_000));
        }
    }

    public static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}

package org.mjpegserver.frames;

/**
 * Events per second over the last few seconds, from a small ring of the latest event times (at most ten seconds
 * back). Small, because every viewer has one. Thread-safe.
 */
public final class RateMeter {

    private static final long WINDOW_NANOS = 10_000_000_000L;
    private final long[] times = new long[32];
    private int next;
    private int count;

    public synchronized void record(long nanos) {
        times[next] = nanos;
        next = (next + 1) % times.length;
        count = Math.min(count + 1, times.length);
    }

    public synchronized double perSecond(long nowNanos) {
        int inWindow = 0;
        long oldest = nowNanos;
        for (int i = 0; i < count; i++) {
            long t = times[(next - 1 - i + times.length) % times.length];
            if (nowNanos - t > WINDOW_NANOS) {
                break;
            }
            inWindow++;
            oldest = t;
        }
        if (inWindow < 2) {
            return 0;
        }
        // Span from the oldest event in the window to now, so a source that stopped shows its rate falling.
        return (inWindow - 1) * 1e9 / Math.max(nowNanos - oldest, 1);
    }
}

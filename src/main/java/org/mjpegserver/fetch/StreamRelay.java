package org.mjpegserver.fetch;

import java.io.IOException;
import java.time.Instant;
import java.util.function.LongSupplier;
import org.mjpegserver.frames.SourceStatus;
import org.mjpegserver.image.InvalidImageException;

/**
 * Reads one upstream MJPEG stream until it ends, on a thread of its own. Every part is read, but only as many are
 * taken as the image's viewers want (within its fetch limits); the rest are skipped without being held or
 * decoded, which is what lets one connection feed every viewer of a 30 fps camera at their own pace.
 */
final class StreamRelay {

    /** Where taken frames go: validation and the feed. */
    interface Sink {
        /** A taken part, whole, with the time it arrived. */
        void take(byte[] body, Instant arrived) throws InvalidImageException;

        /** A part that cannot become a frame (too large, invalid): the stream goes on. */
        void refuse(String reason);
    }

    /** How a relay ended, and why. */
    record Ended(How how, String reason, long framesTaken) {
        enum How {
            /** The upstream ended the stream (end of body, close delimiter). */
            ENDED,
            /** The connection failed: a read timed out, was reset, or the bytes could not be parsed. */
            FAILED,
            /** We closed it: the image stopped, or nobody watches any more. */
            CLOSED
        }
    }

    private final Fetched.Stream stream;
    private final SourceStatus status;
    private final LongSupplier intervalNanos;
    private final Sink sink;
    private volatile boolean closed;
    private long nextDueNanos;
    private long lastPartNanos;
    /** Smoothed time between the upstream's parts, to take the part nearest each due time. */
    private long partPeriodNanos;

    /** {@code intervalNanos}: the time between taken frames the viewers want now; {@link Long#MAX_VALUE} for none. */
    StreamRelay(Fetched.Stream stream, SourceStatus status, LongSupplier intervalNanos, Sink sink) {
        this.stream = stream;
        this.status = status;
        this.intervalNanos = intervalNanos;
        this.sink = sink;
    }

    /** Reads the stream to its end, or until {@link #close()}; always leaves the connection closed. */
    Ended run() {
        long taken = 0;
        nextDueNanos = System.nanoTime();
        status.connected(true);
        try {
            PartReader parts = stream.parts();
            // A part taken but unusable (too large, invalid) passes its turn on to the next part, once: a camera
            // whose every other part is unusable still gets frames through at the wanted rate, whatever the
            // rhythm, and one whose every part is unusable costs at most two tries a turn.
            boolean passedOn = false;
            while (!closed && parts.next()) {
                status.received();
                boolean turn = due(System.nanoTime());
                if (!turn && !passedOn) {
                    parts.skip();
                    status.dropped();
                    continue;
                }
                boolean secondTry = passedOn && !turn;
                passedOn = false;
                byte[] body;
                try {
                    body = parts.read();
                } catch (FetchException tooLarge) {
                    status.dropped();
                    sink.refuse(tooLarge.getMessage());
                    passedOn = !secondTry;
                    continue;
                }
                try {
                    sink.take(body, Instant.now());
                    taken++;
                } catch (InvalidImageException e) {
                    sink.refuse(e.getMessage());
                    passedOn = !secondTry;
                }
            }
            return new Ended(closed ? Ended.How.CLOSED : Ended.How.ENDED, "the camera ended the stream", taken);
        } catch (IOException e) {
            return new Ended(closed ? Ended.How.CLOSED : Ended.How.FAILED, HttpSource.describe(e), taken);
        } catch (FetchException e) {
            return new Ended(closed ? Ended.How.CLOSED : Ended.How.FAILED, e.getMessage(), taken);
        } finally {
            status.connected(false);
            closeConnection();
        }
    }

    /**
     * Whether the part that starts now should be taken: at most one per interval on average, taking the part
     * nearest each due time (within half the upstream's own period), and never saving up a burst.
     */
    private boolean due(long now) {
        if (lastPartNanos != 0) {
            long gap = now - lastPartNanos;
            partPeriodNanos = partPeriodNanos == 0 ? gap : (partPeriodNanos * 7 + gap) / 8;
        }
        lastPartNanos = now;
        long interval = intervalNanos.getAsLong();
        if (interval == Long.MAX_VALUE) {
            return false;
        }
        long slack = Math.min(partPeriodNanos / 2, interval / 2);
        if (now - (nextDueNanos - slack) < 0) {
            return false;
        }
        nextDueNanos = Math.max(nextDueNanos, now - interval) + interval;
        return true;
    }

    /** Ends the relay from any thread: drops the connection, which ends a read that is waiting. */
    void close() {
        closed = true;
        closeConnection();
    }

    private void closeConnection() {
        try {
            stream.connection().close();
        } catch (IOException | RuntimeException e) {
            // Dropping a connection that is already gone.
        }
    }
}

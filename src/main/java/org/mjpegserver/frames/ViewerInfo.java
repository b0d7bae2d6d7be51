package org.mjpegserver.frames;

import java.time.Instant;

/** What {@code /images} shows of one open stream. {@code requestedFps} is null when the URL asked for none. */
public record ViewerInfo(long clientId, Instant startTime, Double requestedFps, double streamFps,
        double averageStreamFps, long framesSent) {
}

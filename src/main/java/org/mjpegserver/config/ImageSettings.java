package org.mjpegserver.config;

import java.nio.file.Path;
import java.time.Duration;

/**
 * The settings that the {@code mjpeg-server} section gives every image and that each image may override.
 * {@code staleImagePath} is null for the built-in placeholder; {@code accessToken} null when streams are open.
 */
public record ImageSettings(
        double streamFps,
        double fetchMinimumFps,
        double fetchMaximumFps,
        Duration imageTimeout,
        TimeoutBehavior imageTimeoutBehavior,
        Validation imageValidation,
        boolean ignoreCertificateErrors,
        Path staleImagePath,
        String fetchAgentString,
        long maxImageBytes,
        long maxImagePixels,
        String accessToken,
        Duration readTimeout,
        Duration closeAfterLastViewer,
        Shaping shaping) {

    public static final String DEFAULT_AGENT = "mjpeg-server/1.0";

    /** The Python server's defaults, plus the limits it did not have. */
    public static final ImageSettings DEFAULTS = new ImageSettings(
            5, 1, 30, Duration.ofSeconds(30), TimeoutBehavior.DISCONNECT, Validation.VALID_JPEG,
            false, null, DEFAULT_AGENT, 20L * 1024 * 1024, 50_000_000L, null, Duration.ofSeconds(10), Duration.ofSeconds(5),
            Shaping.NONE);

    /** Settings without shaping, as before shaping existed. */
    public ImageSettings(double streamFps, double fetchMinimumFps, double fetchMaximumFps, Duration imageTimeout,
            TimeoutBehavior imageTimeoutBehavior, Validation imageValidation, boolean ignoreCertificateErrors,
            Path staleImagePath, String fetchAgentString, long maxImageBytes, long maxImagePixels, String accessToken,
            Duration readTimeout, Duration closeAfterLastViewer) {
        this(streamFps, fetchMinimumFps, fetchMaximumFps, imageTimeout, imageTimeoutBehavior, imageValidation,
                ignoreCertificateErrors, staleImagePath, fetchAgentString, maxImageBytes, maxImagePixels, accessToken,
                readTimeout, closeAfterLastViewer, Shaping.NONE);
    }

    /** {@code fetch_minimum_fps} is capped at {@code fetch_maximum_fps}, as the Python server did. */
    public double effectiveMinimumFps() {
        return Math.min(fetchMinimumFps, fetchMaximumFps);
    }

    /**
     * With {@code fetch_minimum_fps: 0} the source rests while nobody watches: no fetches, and a stream source's
     * connection closed {@code close_after_last_viewer_seconds} after the last viewer left.
     */
    public boolean onDemand() {
        return fetchMinimumFps == 0;
    }

    @Override
    public String toString() {
        return "ImageSettings[streamFps=" + streamFps + ", fetch=" + fetchMinimumFps + ".." + fetchMaximumFps
                + ", timeout=" + imageTimeout + " " + imageTimeoutBehavior + ", validation=" + imageValidation
                + ", accessToken=" + (accessToken == null ? "none" : "***") + ", readTimeout=" + readTimeout
                + ", closeAfterLastViewer=" + closeAfterLastViewer + ", shaping=" + shaping + "]";
    }
}

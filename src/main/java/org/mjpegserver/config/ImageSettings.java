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
        String accessToken) {

    public static final String DEFAULT_AGENT = "mjpeg-server/1.0";

    /** The Python server's defaults, plus the limits it did not have. */
    public static final ImageSettings DEFAULTS = new ImageSettings(
            5, 1, 30, Duration.ofSeconds(30), TimeoutBehavior.DISCONNECT, Validation.VALID_JPEG,
            false, null, DEFAULT_AGENT, 20L * 1024 * 1024, 50_000_000L, null);

    /** {@code fetch_minimum_fps} is capped at {@code fetch_maximum_fps}, as the Python server did. */
    public double effectiveMinimumFps() {
        return Math.min(fetchMinimumFps, fetchMaximumFps);
    }

    @Override
    public String toString() {
        return "ImageSettings[streamFps=" + streamFps + ", fetch=" + fetchMinimumFps + ".." + fetchMaximumFps
                + ", timeout=" + imageTimeout + " " + imageTimeoutBehavior + ", validation=" + imageValidation
                + ", accessToken=" + (accessToken == null ? "none" : "***") + "]";
    }
}

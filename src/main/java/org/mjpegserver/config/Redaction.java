package org.mjpegserver.config;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Replaces secrets with {@code ***} wherever configuration reaches a response, a log line or a message. */
public final class Redaction {

    public static final String MASK = "***";
    private static final Pattern SECRET_PARAMETER = Pattern.compile(
            "([?&;](?:[^=&;#]*(?:pass|pwd|token|key|secret|auth|sig|credential)[^=&;#]*)=)([^&;#]*)",
            Pattern.CASE_INSENSITIVE);
    /** Up to the last '@' of the authority: a password with an unescaped '@' is masked whole. */
    private static final Pattern USER_INFO = Pattern.compile("(?<=//)[^/\\s?#]*@");

    private Redaction() {
    }

    /** The URL with its user-info and any secret-looking query values masked. */
    public static String url(URI url) {
        return url == null ? null : text(url.toString());
    }

    /** Masks URL user-info and secret-looking query values anywhere in {@code text}. */
    public static String text(String text) {
        if (text == null) {
            return null;
        }
        String masked = USER_INFO.matcher(text).replaceAll(Matcher.quoteReplacement(MASK + "@"));
        return SECRET_PARAMETER.matcher(masked).replaceAll("$1" + Matcher.quoteReplacement(MASK));
    }

    /** The image's effective configuration as the keys of config.yaml, every secret masked. */
    public static Map<String, Object> describe(ImageConfig image) {
        ImageSettings s = image.settings();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("url", url(image.url()));
        Credentials credentials = image.credentials();
        if (credentials.present()) {
            out.put("auth_type", credentials.type().name().toLowerCase(Locale.ROOT));
            if (credentials.username() != null) {
                out.put("username", credentials.username());
            }
            if (credentials.password() != null && !credentials.password().isEmpty()) {
                out.put("password", MASK);
            }
            if (credentials.token() != null) {
                out.put("token", MASK);
            }
        }
        out.put("stream_fps", s.streamFps());
        out.put("fetch_minimum_fps", s.effectiveMinimumFps());
        out.put("fetch_maximum_fps", s.fetchMaximumFps());
        out.put("image_timeout_seconds", s.imageTimeout().toMillis() / 1000.0);
        out.put("image_timeout_behavior", s.imageTimeoutBehavior().name().toLowerCase(Locale.ROOT));
        out.put("image_validation", s.imageValidation().name().toLowerCase(Locale.ROOT));
        out.put("ignore_certificate_errors", s.ignoreCertificateErrors());
        out.put("stale_image_path", s.staleImagePath() == null ? null : s.staleImagePath().getFileName().toString());
        out.put("fetch_agent_string", s.fetchAgentString());
        out.put("max_image_bytes", s.maxImageBytes());
        out.put("max_image_pixels", s.maxImagePixels());
        out.put("read_timeout_seconds", s.readTimeout().toMillis() / 1000.0);
        out.put("close_after_last_viewer_seconds", s.closeAfterLastViewer().toMillis() / 1000.0);
        if (s.accessToken() != null) {
            out.put("access_token", MASK);
        }
        describe(s.shaping(), out);
        return out;
    }

    private static void describe(Shaping shaping, Map<String, Object> out) {
        out.put("rotate", shaping.rotate());
        Shaping.Crop crop = shaping.crop();
        if (crop == null) {
            out.put("crop", "none");
        } else {
            Map<String, Object> rectangle = new LinkedHashMap<>();
            rectangle.put("x", crop.x().toString());
            rectangle.put("y", crop.y().toString());
            rectangle.put("width", crop.width().toString());
            rectangle.put("height", crop.height().toString());
            out.put("crop", rectangle);
        }
        out.put("max_width", shaping.maxWidth());
        out.put("max_height", shaping.maxHeight());
        out.put("jpeg_quality", shaping.jpegQuality());
        Shaping.TimestampOverlay overlay = shaping.timestampOverlay();
        if (overlay == null) {
            out.put("timestamp_overlay", false);
        } else {
            Map<String, Object> described = new LinkedHashMap<>();
            described.put("position", overlay.position().key());
            described.put("show_id", overlay.showId());
            described.put("format", overlay.format());
            described.put("time_zone", overlay.timeZone().getId());
            out.put("timestamp_overlay", described);
        }
    }
}

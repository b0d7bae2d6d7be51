package org.mjpegserver.config;

import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * How every accepted frame of an image is reshaped before any viewer sees it: cropped, rotated, scaled down to
 * fit {@code maxWidth} x {@code maxHeight} (0: no limit), stamped with its arrival time, and encoded at
 * {@code jpegQuality}. {@code crop} and {@code timestampOverlay} are null when off.
 */
public record Shaping(int rotate, Crop crop, int maxWidth, int maxHeight, int jpegQuality, TimestampOverlay timestampOverlay) {

    public static final int DEFAULT_QUALITY = 85;
    /** No shaping: frames pass through as they came. */
    public static final Shaping NONE = new Shaping(0, null, 0, 0, DEFAULT_QUALITY, null);

    /** Whether frames must be decoded and encoded again; {@code jpegQuality} alone applies only to re-encoded frames. */
    public boolean changesPixels() {
        return rotate != 0 || crop != null || maxWidth > 0 || maxHeight > 0 || timestampOverlay != null;
    }

    /** Only the scaling and the quality: for the built-in stale image, whose text a crop or rotation would garble. */
    public Shaping scalingOnly() {
        return new Shaping(0, null, maxWidth, maxHeight, jpegQuality, null);
    }

    /** The same without the timestamp: for the stale image, which has no arrival time. */
    public Shaping withoutOverlay() {
        return new Shaping(rotate, crop, maxWidth, maxHeight, jpegQuality, null);
    }

    /** One side of a crop rectangle, in pixels or in percent of the source's width or height. */
    public record Length(double value, boolean percent) {

        /** This length for a source {@code size} pixels long, rounded to whole pixels. */
        public int pixels(int size) {
            return percent ? (int) Math.round(size * value / 100) : (int) value;
        }

        @Override
        public String toString() {
            String number = value == Math.rint(value) ? Long.toString((long) value) : Double.toString(value);
            return percent ? number + "%" : number;
        }
    }

    /** The part of the source picture to keep, before any rotation. */
    public record Crop(Length x, Length y, Length width, Length height) {
    }

    /** Where the arrival time goes, and how it reads. */
    public record TimestampOverlay(Corner position, boolean showId, String format, ZoneId timeZone) {

        public static final String DEFAULT_FORMAT = "yyyy-MM-dd HH:mm:ss";
        public static final TimestampOverlay DEFAULT = new TimestampOverlay(Corner.TOP_LEFT, false, DEFAULT_FORMAT, ZoneId.systemDefault());

        /** The formatter for {@code format}; the loader has checked that the pattern is valid. */
        public DateTimeFormatter formatter() {
            return DateTimeFormatter.ofPattern(format, Locale.ROOT).withZone(timeZone);
        }
    }

    public enum Corner {
        TOP_LEFT, TOP_RIGHT, BOTTOM_LEFT, BOTTOM_RIGHT;

        /** As written in config.yaml: top-left. */
        public String key() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }
}

package org.mjpegserver.fetch;

import java.util.Locale;
import org.mjpegserver.config.ImageConfig;
import org.mjpegserver.frames.SourceStatus.Kind;

/** Picks the source for an image's URL scheme; the config loader has already refused every other scheme. */
final class Sources {

    private Sources() {
    }

    static Source open(ImageConfig image) {
        switch (kind(image)) {
            case FILE:
                return new FileSource(image);
            case TEST_PATTERN:
                return new TestPatternSource(image);
            default:
                return new HttpSource(image);
        }
    }

    /** What the URL alone tells: an http(s) image is a snapshot or a stream, as its first answer will say. */
    static Kind kind(ImageConfig image) {
        switch (image.url().getScheme().toLowerCase(Locale.ROOT)) {
            case "file":
                return Kind.FILE;
            case "testpattern":
                return Kind.TEST_PATTERN;
            default:
                return Kind.UNKNOWN;
        }
    }
}

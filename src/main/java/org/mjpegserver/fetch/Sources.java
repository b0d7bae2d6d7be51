package org.mjpegserver.fetch;

import java.util.Locale;
import org.mjpegserver.config.ImageConfig;

/** Picks the source for an image's URL scheme; the config loader has already refused every other scheme. */
final class Sources {

    private Sources() {
    }

    static Source open(ImageConfig image) {
        switch (image.url().getScheme().toLowerCase(Locale.ROOT)) {
            case "file":
                return new FileSource(image);
            case "testpattern":
                return new TestPatternSource(image);
            default:
                return new HttpSource(image);
        }
    }
}

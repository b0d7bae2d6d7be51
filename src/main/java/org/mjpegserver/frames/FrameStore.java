package org.mjpegserver.frames;

import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.mjpegserver.config.ImageSettings;

/** The application-scoped store: one feed per configured image, in config order. */
public final class FrameStore {

    private volatile Map<String, ImageFeed> feeds = Map.of();
    private volatile ImageSettings defaults = ImageSettings.DEFAULTS;

    public ImageFeed feed(String id) {
        return feeds.get(id);
    }

    public Collection<ImageFeed> feeds() {
        return feeds.values();
    }

    /** The server-wide settings of the running config (its {@code mjpeg-server} section). */
    public ImageSettings defaults() {
        return defaults;
    }

    /** Replaces the whole set at once, so a reader never sees half of a reload. */
    public void replace(Map<String, ImageFeed> next, ImageSettings nextDefaults) {
        feeds = Collections.unmodifiableMap(new LinkedHashMap<>(next));
        defaults = nextDefaults;
    }

    /** Checks every feed for staleness; run a few times a second. */
    public void checkStale() {
        long now = System.nanoTime();
        for (ImageFeed feed : feeds.values()) {
            feed.checkStale(now);
        }
    }
}

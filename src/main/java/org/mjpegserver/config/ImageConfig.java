package org.mjpegserver.config;

import java.net.URI;

/**
 * One configured image. {@code url} has no user-info (it moved into {@code credentials}); {@code line} is where
 * the image is defined in the config file, for messages.
 */
public record ImageConfig(String id, URI url, Credentials credentials, ImageSettings settings, int line) {

    /** Same source and settings, wherever in the file it is defined: a reload keeps such an image running. */
    public boolean sameAs(ImageConfig other) {
        return other != null && id.equals(other.id) && url.equals(other.url) && credentials.equals(other.credentials)
                && settings.equals(other.settings);
    }

    @Override
    public String toString() {
        return "ImageConfig[" + id + " " + Redaction.url(url) + "]";
    }
}

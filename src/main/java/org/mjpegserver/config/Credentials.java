package org.mjpegserver.config;

/**
 * Upstream credentials of one image. {@code type} is null when the image has none; user-info in the URL
 * has already been moved here, so the URL itself never carries a secret.
 */
public record Credentials(AuthType type, String username, String password, String token) {

    public static final Credentials NONE = new Credentials(null, null, null, null);

    public boolean present() {
        return type != null;
    }

    /** Never prints a secret, whatever logs or exception messages this ends up in. */
    @Override
    public String toString() {
        return type == null ? "none" : type.name().toLowerCase(java.util.Locale.ROOT) + " as " + username;
    }
}

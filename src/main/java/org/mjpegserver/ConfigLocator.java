package org.mjpegserver;

import jakarta.servlet.ServletContext;
import java.nio.file.Path;

/**
 * Finds config.yaml, first found wins: system property {@code mjpeg.server.config}, environment
 * {@code MJPEG_SERVER_CONFIG}, context init-param {@code mjpeg.server.config}, then ./config.yaml.
 */
final class ConfigLocator {

    static final String PROPERTY = "mjpeg.server.config";
    static final String ENVIRONMENT = "MJPEG_SERVER_CONFIG";

    private ConfigLocator() {
    }

    static Path locate(ServletContext context) {
        String location = System.getProperty(PROPERTY);
        if (blank(location)) {
            location = System.getenv(ENVIRONMENT);
        }
        if (blank(location)) {
            location = context.getInitParameter(PROPERTY);
        }
        if (blank(location)) {
            location = "config.yaml";
        }
        return Path.of(location.trim()).toAbsolutePath().normalize();
    }

    private static boolean blank(String value) {
        return value == null || value.isBlank();
    }
}

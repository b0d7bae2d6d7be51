package org.mjpegserver.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** A whole, valid configuration: where it came from, the server-wide defaults and the images in file order. */
public record ServerConfig(Path file, ImageSettings defaults, Map<String, ImageConfig> images, List<String> warnings) {

    public ServerConfig {
        images = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(images));
        warnings = List.copyOf(warnings);
    }
}

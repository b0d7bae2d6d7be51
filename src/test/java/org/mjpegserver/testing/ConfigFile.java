package org.mjpegserver.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** The config file of the current deployment, for tests that edit it while the server runs. */
public final class ConfigFile {

    private ConfigFile() {
    }

    /** The file that {@link Deployments#war} wrote last and handed to the server. */
    public static Path current() {
        return Path.of(System.getProperty("mjpeg.server.config"));
    }

    /** Replaces the content in one step, as editors and config management do, so no reader sees half of it. */
    public static void rewrite(Path file, String yaml) {
        try {
            Path temp = Files.createTempFile(file.getParent(), "config", ".tmp");
            Files.writeString(temp, yaml, StandardCharsets.UTF_8);
            Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

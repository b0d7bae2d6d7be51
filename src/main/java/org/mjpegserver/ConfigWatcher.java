package org.mjpegserver;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.mjpegserver.config.ConfigException;
import org.mjpegserver.config.ConfigLoader;
import org.mjpegserver.config.ServerConfig;

/**
 * Applies config.yaml again whenever its content changes, without restarting Tomcat. It compares content rather
 * than waiting for file-system events, which do not cross Docker bind mounts. A broken file is rejected with its
 * message, once, and the running config stays.
 */
final class ConfigWatcher implements Runnable {

    static final long INTERVAL_MILLIS = 2000;
    private static final Logger LOG = Logger.getLogger(ConfigWatcher.class.getName());

    private final Path file;
    private final MjpegServer server;
    private byte[] lastSeen;

    ConfigWatcher(Path file, MjpegServer server) {
        this.file = file;
        this.server = server;
        this.lastSeen = read();
    }

    @Override
    public void run() {
        byte[] content = read();
        if (content == null || Arrays.equals(content, lastSeen)) {
            return;
        }
        lastSeen = content;
        try {
            ServerConfig next = ConfigLoader.load(file);
            next.warnings().forEach(LOG::warning);
            server.apply(next);
        } catch (ConfigException e) {
            LOG.severe("Config change rejected, the running config stays. " + e.getMessage());
        } catch (RuntimeException e) {
            LOG.log(Level.SEVERE, "Config reload failed, the running config stays", e);
        }
    }

    /** The file's bytes, or null while it cannot be read (being replaced, say): then nothing changes. */
    private byte[] read() {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            return null;
        }
    }
}

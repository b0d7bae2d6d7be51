package org.mjpegserver.testing;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.importer.ZipImporter;
import org.jboss.shrinkwrap.api.spec.WebArchive;

/**
 * The real, built WAR (what users deploy) for Arquillian, with a config.yaml written for the test. The
 * config goes by the system property the server reads first, set here because Arquillian deploys one
 * archive at a time in this JVM.
 */
public final class Deployments {

    private Deployments() {
    }

    public static WebArchive war(String configYaml) {
        Path config = writeConfig(configYaml);
        System.setProperty("mjpeg.server.config", config.toString());
        String war = System.getProperty("mjpeg.war", "target/mjpeg-server.war");
        return ShrinkWrap.create(ZipImporter.class, "ROOT.war").importFrom(new File(war)).as(WebArchive.class);
    }

    /** Writes {@code bytes} as {@code name} beside the config of the last {@link #war}: where {@code file:name} reads. */
    public static Path besideConfig(String name, byte[] bytes) {
        Path file = Path.of(System.getProperty("mjpeg.server.config")).resolveSibling(name);
        try {
            Files.write(file, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        file.toFile().deleteOnExit();
        return file;
    }

    /** Writes a config file in a folder of its own (relative paths in it resolve against that folder). */
    public static Path writeConfig(String configYaml) {
        try {
            Path folder = Files.createTempDirectory("mjpeg-config");
            folder.toFile().deleteOnExit();
            Path config = folder.resolve("config.yaml");
            Files.writeString(config, configYaml, StandardCharsets.UTF_8);
            config.toFile().deleteOnExit();
            return config;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

package org.mjpegserver;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

final class ConfigLocatorTest {

    private static final Path WORKING_DIRECTORY = Path.of("/tmp");

    @Test
    void withNothingSetItIsConfigYamlInTheWorkingDirectory() {
        assertEquals(Path.of("/tmp/config.yaml"), new ConfigLocator.Location(null, null, null, WORKING_DIRECTORY).file());
        // Blank counts as not set, as an empty `export MJPEG_SERVER_CONFIG=` would be.
        assertEquals(Path.of("/tmp/config.yaml"), new ConfigLocator.Location(" ", "", "\t", WORKING_DIRECTORY).file());
    }

    @Test
    void theFirstPlaceSetNamesTheFileAndRelativePathsStartInTheWorkingDirectory() {
        assertEquals(Path.of("/etc/a.yaml"), new ConfigLocator.Location(" /etc/a.yaml ", "/etc/b.yaml", "/etc/c.yaml", WORKING_DIRECTORY).file());
        assertEquals(Path.of("/etc/b.yaml"), new ConfigLocator.Location(null, "/etc/b.yaml", "/etc/c.yaml", WORKING_DIRECTORY).file());
        assertEquals(Path.of("/etc/c.yaml"), new ConfigLocator.Location("", null, "/etc/c.yaml", WORKING_DIRECTORY).file());
        assertEquals(Path.of("/tmp/conf/cams.yaml"), new ConfigLocator.Location(null, "conf/../conf/cams.yaml", null, WORKING_DIRECTORY).file());
    }

    @Test
    void aFirstStartWithoutAnyConfigNamesEveryPlaceAndTheLineToAdd() {
        assertEquals("""
                No config found. mjpeg-server reads the file named by the first of these that is set:
                  system property mjpeg.server.config: not set
                  environment variable MJPEG_SERVER_CONFIG: not set
                  context parameter mjpeg.server.config: not set
                  else config.yaml in the working directory: /tmp/config.yaml does not exist
                Point mjpeg-server at your config with one line in Tomcat's bin/setenv.sh:
                  export MJPEG_SERVER_CONFIG=/path/to/config.yaml""",
                new ConfigLocator.Location(null, null, null, WORKING_DIRECTORY).notFound());
    }

    @Test
    void aMissingFileFromTheSystemPropertyShowsTheLineForItAndForCargo() {
        // What `mvn package cargo:run -Dmjpeg.config=...` leads to when that file is not there.
        assertEquals("""
                No config found. mjpeg-server reads the file named by the first of these that is set:
                  system property mjpeg.server.config: /home/me/cams.yaml does not exist
                  environment variable MJPEG_SERVER_CONFIG: /etc/mjpeg/config.yaml, not used: a place above is set
                  context parameter mjpeg.server.config: not set
                  else config.yaml in the working directory: not looked at
                Point the system property at your config, e.g. in CATALINA_OPTS:
                  -Dmjpeg.server.config=/path/to/config.yaml
                or, with `mvn package cargo:run`, which sets it from mjpeg.config:
                  mvn package cargo:run -Dmjpeg.config=/path/to/config.yaml""",
                new ConfigLocator.Location("/home/me/cams.yaml", "/etc/mjpeg/config.yaml", null, WORKING_DIRECTORY).notFound());
    }

    @Test
    void aMissingFileFromTheEnvironmentShowsTheExportLine() {
        assertEquals("""
                No config found. mjpeg-server reads the file named by the first of these that is set:
                  system property mjpeg.server.config: not set
                  environment variable MJPEG_SERVER_CONFIG: /tmp/cams.yaml does not exist
                  context parameter mjpeg.server.config: conf/other.yaml, not used: a place above is set
                  else config.yaml in the working directory: not looked at
                Point mjpeg-server at your config with one line in Tomcat's bin/setenv.sh:
                  export MJPEG_SERVER_CONFIG=/path/to/config.yaml""",
                new ConfigLocator.Location(null, "cams.yaml", "conf/other.yaml", WORKING_DIRECTORY).notFound());
    }

    @Test
    void aMissingFileFromTheContextParameterShowsTheParameterLine() {
        assertEquals("""
                No config found. mjpeg-server reads the file named by the first of these that is set:
                  system property mjpeg.server.config: not set
                  environment variable MJPEG_SERVER_CONFIG: not set
                  context parameter mjpeg.server.config: /srv/cams.yaml does not exist
                  else config.yaml in the working directory: not looked at
                Point the context parameter at your config, in conf/Catalina/localhost/<context>.xml:
                  <Parameter name="mjpeg.server.config" value="/path/to/config.yaml" override="false"/>""",
                new ConfigLocator.Location(null, null, "/srv/cams.yaml", WORKING_DIRECTORY).notFound());
    }
}

package org.mjpegserver;

import jakarta.servlet.ServletContext;
import java.nio.file.Path;

/**
 * Finds config.yaml: the first of system property {@code mjpeg.server.config}, environment
 * {@code MJPEG_SERVER_CONFIG} and context init-param {@code mjpeg.server.config} that is set names the file, and
 * without any of them it is config.yaml in the working directory.
 */
final class ConfigLocator {

    static final String PROPERTY = "mjpeg.server.config";
    static final String ENVIRONMENT = "MJPEG_SERVER_CONFIG";
    private static final String DEFAULT_NAME = "config.yaml";

    private ConfigLocator() {
    }

    static Location locate(ServletContext context) {
        return new Location(System.getProperty(PROPERTY), System.getenv(ENVIRONMENT), context.getInitParameter(PROPERTY),
                Path.of("").toAbsolutePath());
    }

    /**
     * What each place held at start (null when not set). Kept whole, so that a missing file can be reported with
     * every place that was looked at: a first start without any config should say how to give one.
     */
    record Location(String property, String environment, String contextParameter, Path workingDirectory) {

        Location {
            property = setOrNull(property);
            environment = setOrNull(environment);
            contextParameter = setOrNull(contextParameter);
        }

        Path file() {
            String named = property != null ? property : environment != null ? environment : contextParameter;
            return workingDirectory.resolve(named != null ? named : DEFAULT_NAME).normalize();
        }

        /** The message for a {@link #file()} that does not exist: every place, what it held, and the line to add. */
        String notFound() {
            Path file = file();
            boolean noneSet = property == null && environment == null && contextParameter == null;
            return "No config found. mjpeg-server reads the file named by the first of these that is set:"
                    + place("system property " + PROPERTY, property, true)
                    + place("environment variable " + ENVIRONMENT, environment, property == null)
                    + place("context parameter " + PROPERTY, contextParameter, property == null && environment == null)
                    + "\n  else " + DEFAULT_NAME + " in the working directory: "
                    + (noneSet ? file + " does not exist" : "not looked at")
                    + "\n" + fix();
        }

        /** One place: not set, the one that named the missing file, or set but outranked by a place above it. */
        private String place(String name, String value, boolean noneAboveSet) {
            String state = value == null ? "not set"
                    : noneAboveSet ? file() + " does not exist"
                    : value + ", not used: a place above is set";
            return "\n  " + name + ": " + state;
        }

        /** The one line that points at a file, for the place that named the missing one (or the usual place). */
        private String fix() {
            String example = "/path/to/config.yaml";
            if (property != null) {
                return "Point the system property at your config, e.g. in CATALINA_OPTS:\n  -D" + PROPERTY + "=" + example
                        + "\nor, with `mvn package cargo:run`, which sets it from mjpeg.config:\n  mvn package cargo:run"
                        + " -Dmjpeg.config=" + example;
            }
            if (environment == null && contextParameter != null) {
                return "Point the context parameter at your config, in conf/Catalina/localhost/<context>.xml:\n"
                        + "  <Parameter name=\"" + PROPERTY + "\" value=\"" + example + "\" override=\"false\"/>";
            }
            return "Point mjpeg-server at your config with one line in Tomcat's bin/setenv.sh:\n  export " + ENVIRONMENT
                    + "=" + example;
        }

        private static String setOrNull(String value) {
            return value == null || value.isBlank() ? null : value.trim();
        }
    }
}

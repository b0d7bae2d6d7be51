package org.mjpegserver.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** What the Docker image does with the Tomcat it runs in, done with a Tomcat distribution here, where no Docker engine runs. */
public final class DockerImage {

    private DockerImage() {
    }

    /**
     * Runs the Dockerfile's own {@code sed -i '...' "$CATALINA_HOME/conf/server.xml"} edits on {@code serverXml};
     * returns how many there were.
     */
    public static int applyServerXmlEdits(Path dockerfile, Path serverXml) throws IOException, InterruptedException {
        Matcher sed = Pattern.compile("sed -i '([^']*)' \"\\$CATALINA_HOME/conf/server\\.xml\"").matcher(Files.readString(dockerfile));
        int edits = 0;
        while (sed.find()) {
            Process process = new ProcessBuilder("sed", "-i", sed.group(1), serverXml.toString()).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("sed did not finish");
            }
            if (process.exitValue() != 0) {
                throw new IllegalStateException("sed failed: " + output);
            }
            edits++;
        }
        return edits;
    }

    /**
     * {@code catalina.sh run} of the distribution at {@code home} for {@code base}, started as the Docker image starts
     * it: no JAVA_OPTS or CATALINA_OPTS from outside (the JVM options come from {@code base/bin/setenv.sh}, if there),
     * the config by {@code MJPEG_SERVER_CONFIG} unless {@code config} is null. catalina.sh execs java, so the process
     * started is the JVM itself.
     */
    public static ProcessBuilder catalinaRun(Path home, Path base, Path config) {
        ProcessBuilder builder = new ProcessBuilder("bash", home.resolve("bin/catalina.sh").toString(), "run");
        Map<String, String> env = builder.environment();
        List.of("JAVA_OPTS", "CATALINA_OPTS", "CATALINA_PID", "CATALINA_OUT", "CATALINA_TMPDIR", "JRE_HOME", "MJPEG_SERVER_CONFIG")
                .forEach(env::remove);
        env.put("JAVA_HOME", System.getProperty("java.home"));
        env.put("CATALINA_HOME", home.toString());
        env.put("CATALINA_BASE", base.toString());
        if (config != null) {
            env.put("MJPEG_SERVER_CONFIG", config.toString());
        }
        return builder;
    }
}

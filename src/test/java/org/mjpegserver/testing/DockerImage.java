package org.mjpegserver.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** What the Dockerfile does to the Tomcat it runs in, done to a Tomcat distribution here, where no Docker engine runs. */
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
}

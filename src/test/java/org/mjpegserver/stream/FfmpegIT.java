package org.mjpegserver.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.mjpegserver.stream.StreamChecks.awaitSnapshot;
import static org.mjpegserver.stream.StreamChecks.tagged;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.mjpegserver.testing.Deployments;
import org.mjpegserver.testing.FakeCamera;
import org.mjpegserver.testing.Routes;
import org.mjpegserver.testing.TestImages;

/** Our streams as go2rtc and other ffmpeg-based consumers read them; skipped where ffmpeg is not installed. */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
final class FfmpegIT {

    private static final Pattern FRAME_COUNT = Pattern.compile("frame=\\s*(\\d+)");
    private static final FakeCamera CAMERA = camera();

    @ArquillianResource
    private URL base;

    private static FakeCamera camera() {
        try {
            return FakeCamera.http().serve("/snapshot", Routes.sequence(tagged(TestImages.jpeg(320, 240, "ffmpeg"), "ff", 100)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.war("images:\n  cam:\n    url: " + CAMERA.url("/snapshot") + "\n    stream_fps: 10\n");
    }

    @AfterAll
    static void stopCamera() {
        CAMERA.close();
    }

    @BeforeEach
    void needsFfmpeg() {
        assumeTrue(ffmpegOnPath(), "ffmpeg is not on the PATH");
        awaitSnapshot(base, "cam");
    }

    @Test
    void go2rtcArgumentsRead20Frames() throws Exception {
        // The input options go2rtc passes for an MJPEG-over-HTTP source.
        String output = ffmpeg("-hide_banner", "-f", "mjpeg", "-use_wallclock_as_timestamps", "1",
                "-fflags", "nobuffer", "-flags", "low_delay", "-i", base + "images/cam/stream",
                "-frames:v", "20", "-f", "null", "-");
        assertEquals(20, lastFrameCount(output), output);
        assertTrue(output.contains("320x240"), "ffmpeg did not see the camera's 320x240 frames:\n" + output);
    }

    @Test
    void multipartDemuxerReads5Frames() throws Exception {
        String output = ffmpeg("-hide_banner", "-f", "mpjpeg", "-i", base + "images/cam/stream",
                "-frames:v", "5", "-f", "null", "-");
        assertEquals(5, lastFrameCount(output), output);
        assertTrue(output.contains("320x240"), "ffmpeg did not see the camera's 320x240 frames:\n" + output);
    }

    /** Runs ffmpeg to the end (at most 30 s) and returns what it printed; fails unless it exits 0. */
    private static String ffmpeg(String... arguments) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("ffmpeg", "-nostdin"));
        command.addAll(List.of(arguments));
        Path log = Files.createTempFile("ffmpeg", ".log");
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            boolean finished = process.waitFor(30, TimeUnit.SECONDS);
            if (!finished) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
            String output = Files.readString(log, StandardCharsets.UTF_8);
            assertTrue(finished, "ffmpeg did not finish within 30 s:\n" + output);
            assertEquals(0, process.exitValue(), "ffmpeg failed:\n" + output);
            return output;
        } finally {
            Files.deleteIfExists(log);
        }
    }

    /** ffmpeg's progress lines end with the final count: "frame=   20 fps=...". */
    private static int lastFrameCount(String output) {
        Matcher matcher = FRAME_COUNT.matcher(output);
        int count = -1;
        while (matcher.find()) {
            count = Integer.parseInt(matcher.group(1));
        }
        return count;
    }

    private static boolean ffmpegOnPath() {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String folder : path.split(File.pathSeparator)) {
            if (!folder.isEmpty() && Files.isExecutable(Path.of(folder, "ffmpeg"))) {
                return true;
            }
        }
        return false;
    }
}

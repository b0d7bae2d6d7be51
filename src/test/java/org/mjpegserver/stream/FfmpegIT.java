package org.mjpegserver.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.mjpegserver.testing.Deployments;
import org.mjpegserver.testing.StreamProfile;
import org.mjpegserver.testing.StreamingCamera;

/**
 * The stream as go2rtc reads it: ffmpeg with go2rtc's own input arguments decodes every frame with advancing
 * timestamps, both of a test pattern and of a camera's stream that the server relays, and transcodes it to
 * H.264 the way go2rtc's {@code #video=h264} does. Skipped without ffmpeg.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
final class FfmpegIT {

    private static final int WIDTH = 320;
    private static final int HEIGHT = 240;
    private static final Duration PROCESS_LIMIT = Duration.ofSeconds(60);
    /** go2rtc's input arguments for an MJPEG-over-HTTP source. */
    private static final List<String> GO2RTC_INPUT = List.of("-hide_banner", "-f", "mjpeg",
            "-use_wallclock_as_timestamps", "1", "-fflags", "nobuffer", "-flags", "low_delay");
    private static final Pattern SHOWINFO = Pattern.compile("\\[Parsed_showinfo_\\d+ @ [^]]+] n:\\s*(\\d+) pts:\\s*(-?\\d+)\\s+pts_time:(-?[0-9.]+(?:e[-+]?[0-9]+)?).*? s:(\\d+)x(\\d+)");

    @ArquillianResource
    private URL base;

    /** A camera that streams (320x240 frames, as the pattern), relayed by the server: go2rtc reads it the same way. */
    private static StreamingCamera camera;

    @Deployment(testable = false)
    static WebArchive deployment() {
        camera = StreamingCamera.http(StreamProfile.esp32()).fps(25);
        return Deployments.war(String.join("\n",
                "images:",
                "  pattern:",
                "    url: 'testpattern:" + WIDTH + "x" + HEIGHT + "'",
                "    stream_fps: 10",
                "    fetch_maximum_fps: 10",
                "  relayed:",
                "    url: '" + camera.url() + "'",
                "    stream_fps: 10",
                ""));
    }

    @AfterAll
    static void stopCamera() {
        camera.close();
    }

    @BeforeAll
    static void needsFfmpeg() {
        assumeTrue(onPath("ffmpeg") && onPath("ffprobe"), "ffmpeg/ffprobe not installed");
    }

    @Test
    void go2rtcInputReadsTwentyFramesWithAdvancingTimestamps(@TempDir Path dir) throws Exception {
        assertGo2rtcReadsTwentyFrames("pattern", dir);
    }

    @Test
    void go2rtcInputReadsTheRelayedStreamOfACameraThatStreams(@TempDir Path dir) throws Exception {
        assertGo2rtcReadsTwentyFrames("relayed", dir);
        assertEquals(1, camera.connections(), "the relay's one connection to the camera");
    }

    /** ffmpeg with go2rtc's input arguments decodes 20 frames of the image's stream at their size, in order, at 10 fps. */
    private void assertGo2rtcReadsTwentyFrames(String id, Path dir) throws Exception {
        List<String> command = new ArrayList<>(List.of("ffmpeg"));
        command.addAll(GO2RTC_INPUT);
        command.addAll(List.of("-i", base + "images/" + id + "/stream", "-frames:v", "20", "-vf", "showinfo", "-f", "null", "-"));
        String log = run(command, dir);

        List<Double> times = new ArrayList<>();
        Matcher frame = SHOWINFO.matcher(log);
        while (frame.find()) {
            assertEquals(times.size(), Integer.parseInt(frame.group(1)), "frames out of order:\n" + log);
            assertEquals(WIDTH + "x" + HEIGHT, frame.group(4) + "x" + frame.group(5), log);
            times.add(Double.parseDouble(frame.group(3)));
        }
        assertEquals(20, times.size(), "frames decoded:\n" + log);
        for (int i = 1; i < times.size(); i++) {
            assertTrue(times.get(i) > times.get(i - 1), "pts_time does not advance at frame " + i + ": " + times);
        }
        // Wall-clock stamps of 20 frames at 10 fps span about 1.9 s; generous bounds for a busy machine.
        double span = times.get(times.size() - 1) - times.get(0);
        assertTrue(span > 1.0 && span < 20, "20 frames at 10 fps spanned " + span + " s: " + times);
    }

    @Test
    void multipartDemuxerReadsTheStream(@TempDir Path dir) throws Exception {
        // ffmpeg's mpjpeg demuxer needs Content-Type in every part and a body that starts with the boundary.
        String log = run(List.of("ffmpeg", "-hide_banner", "-f", "mpjpeg", "-i", base + "images/pattern/stream",
                "-frames:v", "5", "-vf", "showinfo", "-f", "null", "-"), dir);
        Matcher frame = SHOWINFO.matcher(log);
        int frames = 0;
        while (frame.find()) {
            assertEquals(WIDTH + "x" + HEIGHT, frame.group(4) + "x" + frame.group(5), log);
            frames++;
        }
        assertEquals(5, frames, "frames decoded:\n" + log);
    }

    @Test
    void transcodesToH264AsGo2rtcDoes(@TempDir Path dir) throws Exception {
        String encoders = run(List.of("ffmpeg", "-hide_banner", "-encoders"), dir);
        assumeTrue(encoders.contains(" libx264 "), "this ffmpeg has no libx264");
        Path out = dir.resolve("out.mp4");
        List<String> command = new ArrayList<>(List.of("ffmpeg"));
        command.addAll(GO2RTC_INPUT);
        command.addAll(List.of("-i", base + "images/pattern/stream",
                "-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency", "-pix_fmt", "yuv420p",
                "-t", "3", "-y", out.toString()));
        String log = run(command, dir);
        assertTrue(Files.size(out) > 0, log);

        String probe = run(List.of("ffprobe", "-v", "error", "-show_streams", "-of", "json", out.toString()), dir);
        JsonNode streams = new ObjectMapper().readTree(probe.substring(probe.indexOf('{'))).get("streams");
        assertEquals(1, streams.size(), probe);
        JsonNode video = streams.get(0);
        assertEquals("h264", video.get("codec_name").asText(), probe);
        assertEquals(WIDTH, video.get("width").asInt(), probe);
        assertEquals(HEIGHT, video.get("height").asInt(), probe);
        assertEquals("yuv420p", video.get("pix_fmt").asText(), probe);
        double duration = video.get("duration").asDouble();
        assertTrue(duration > 2.0 && duration <= 3.5, "duration " + duration + "\n" + probe);
        // About 30 frames at the stream's 10 fps: fewer than 10 would mean ffmpeg starved.
        int frames = video.get("nb_frames").asInt();
        assertTrue(frames >= 10 && frames <= 120, "nb_frames " + frames + "\n" + probe);
    }

    /** Runs a command to its end within the limit, killing it otherwise; returns stdout and stderr together. */
    private static String run(List<String> command, Path dir) throws IOException, InterruptedException {
        File output = dir.resolve("process-" + System.nanoTime() + ".log").toFile();
        Process process = new ProcessBuilder(command).directory(dir.toFile())
                .redirectErrorStream(true).redirectOutput(output)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .start();
        try {
            if (!process.waitFor(PROCESS_LIMIT.toSeconds(), TimeUnit.SECONDS)) {
                fail(command.get(0) + " did not finish within " + PROCESS_LIMIT.toSeconds() + " s:\n" + read(output));
            }
            String log = read(output);
            assertEquals(0, process.exitValue(), String.join(" ", command) + " failed:\n" + log);
            return log;
        } finally {
            if (process.isAlive()) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    private static String read(File file) throws IOException {
        return Files.readString(file.toPath(), StandardCharsets.UTF_8);
    }

    private static boolean onPath(String program) {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String dir : path.split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, program))) {
                return true;
            }
        }
        return false;
    }
}

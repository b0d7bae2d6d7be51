package org.mjpegserver.bench;

import java.awt.image.BufferedImage;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.mjpegserver.config.Shaping;
import org.mjpegserver.image.FrameShaper;
import org.mjpegserver.image.InvalidImageException;
import org.mjpegserver.image.JpegCodec;

/**
 * What shaping costs per 1280x720 camera frame (the benchmark's ~100 KB frames), once per accepted frame whoever
 * watches. Decoding and encoding are timed on their own; each operation is timed as a whole {@link FrameShaper}
 * with only that operation, and its own share is that time less the decode and the encode of its output, all
 * measured side by side in the same rounds. Not a test: speed is never asserted. Run with
 * {@code mvn -q test-compile org.codehaus.mojo:exec-maven-plugin:3.5.0:java -Dexec.classpathScope=test
 * -Dexec.mainClass=org.mjpegserver.bench.ShapingCost}.
 */
public final class ShapingCost {

    private static final int FRAMES = 8;
    private static final int ROUNDS = 9;
    private static final long MAX_PIXELS = 50_000_000L;
    private static final Shaping.TimestampOverlay OVERLAY =
            new Shaping.TimestampOverlay(Shaping.Corner.TOP_LEFT, true, "yyyy-MM-dd HH:mm:ss", ZoneOffset.UTC);

    private ShapingCost() {
    }

    private record Step(String name, Shaping shaping) {
    }

    public static void main(String[] args) throws Exception {
        List<byte[]> frames = FramePool.generate(FRAMES, 100_000);
        List<Step> steps = List.of(
                new Step("crop to the centre 640x360", shaping(0, crop(), 0, 0, null)),
                new Step("rotate 90", shaping(90, null, 0, 0, null)),
                new Step("rotate 180", shaping(180, null, 0, 0, null)),
                new Step("scale to 640 wide", shaping(0, null, 640, 0, null)),
                new Step("scale to 320 wide", shaping(0, null, 320, 0, null)),
                new Step("timestamp overlay", shaping(0, null, 0, 0, OVERLAY)),
                new Step("all: crop, rotate 90, 640 max, overlay", shaping(90, crop(), 640, 640, OVERLAY)));
        List<BufferedImage> decoded = new ArrayList<>();
        for (byte[] frame : frames) {
            decoded.add(JpegCodec.decode(frame, true, MAX_PIXELS));
        }
        // Pictures of each step's output size, to time the encode that step ends with.
        List<BufferedImage> outputs = new ArrayList<>();
        for (Step step : steps) {
            outputs.add(JpegCodec.decode(shaper(step).shape(frames.get(0), Instant.now()), true, MAX_PIXELS));
        }

        long[][] times = new long[steps.size() + 2][ROUNDS];
        long[][] encodes = new long[steps.size()][ROUNDS];
        for (int round = -2; round < ROUNDS; round++) {
            // Each round times everything once, so machine load shifts every figure alike.
            long decode = time(() -> frames.forEach(ShapingCost::decode));
            long verify = time(() -> frames.forEach(ShapingCost::verify));
            long[] shapes = new long[steps.size()];
            long[] encoded = new long[steps.size()];
            for (int i = 0; i < steps.size(); i++) {
                FrameShaper shaper = shaper(steps.get(i));
                shapes[i] = time(() -> frames.forEach(frame -> shape(shaper, frame)));
                BufferedImage output = outputs.get(i);
                encoded[i] = time(() -> decoded.forEach(unused -> JpegCodec.encode(output, 0.85f)));
            }
            if (round >= 0) {
                times[0][round] = decode;
                times[1][round] = verify;
                for (int i = 0; i < steps.size(); i++) {
                    times[i + 2][round] = shapes[i];
                    encodes[i][round] = encoded[i];
                }
            }
        }
        double decodeMs = median(times[0]);
        System.out.printf(Locale.ROOT, "Shaping cost per 1280x720 frame (%d frames of ~%d KB, median of %d rounds, %d cores)%n",
                FRAMES, frames.stream().mapToInt(f -> f.length).sum() / FRAMES / 1000, ROUNDS, Runtime.getRuntime().availableProcessors());
        System.out.printf(Locale.ROOT, "%-42s %10s %12s %10s %12s%n", "", "whole ms", "output", "encode ms", "the step ms");
        System.out.printf(Locale.ROOT, "%-42s %10.2f %12s%n", "decode to RGB", decodeMs, "");
        System.out.printf(Locale.ROOT, "%-42s %10.2f %12s%n", "(valid_jpeg's check, grey, for comparison)", median(times[1]), "");
        for (int i = 0; i < steps.size(); i++) {
            double whole = median(times[i + 2]);
            double encode = median(encodes[i]);
            BufferedImage output = outputs.get(i);
            System.out.printf(Locale.ROOT, "%-42s %10.2f %12s %10.2f %12.2f%n", steps.get(i).name(), whole,
                    output.getWidth() + "x" + output.getHeight(), encode, whole - decodeMs - encode);
        }
    }

    private static Shaping shaping(int rotate, Shaping.Crop crop, int maxWidth, int maxHeight, Shaping.TimestampOverlay overlay) {
        return new Shaping(rotate, crop, maxWidth, maxHeight, Shaping.DEFAULT_QUALITY, overlay);
    }

    private static Shaping.Crop crop() {
        return new Shaping.Crop(new Shaping.Length(25, true), new Shaping.Length(25, true),
                new Shaping.Length(50, true), new Shaping.Length(50, true));
    }

    private static FrameShaper shaper(Step step) {
        return new FrameShaper(step.shaping(), "bench", MAX_PIXELS);
    }

    private static void decode(byte[] frame) {
        try {
            JpegCodec.decode(frame, true, MAX_PIXELS);
        } catch (InvalidImageException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void verify(byte[] frame) {
        try {
            JpegCodec.verifyJpeg(frame, MAX_PIXELS);
        } catch (InvalidImageException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void shape(FrameShaper shaper, byte[] frame) {
        try {
            shaper.shape(frame, Instant.now());
        } catch (InvalidImageException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Nanoseconds for one run over all frames. */
    private static long time(Runnable run) {
        long start = System.nanoTime();
        run.run();
        return System.nanoTime() - start;
    }

    /** Milliseconds per frame, the median round. */
    private static double median(long[] rounds) {
        long[] sorted = rounds.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2] / 1e6 / FRAMES;
    }
}

package org.mjpegserver.fetch;

import java.awt.Color;
import java.awt.GradientPaint;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import javax.imageio.ImageIO;
import org.mjpegserver.testing.TestImages;

/**
 * Measures the part reader's read() and skip() over long in-memory streams of ~100 KB 1280x720 JPEG parts, with
 * and without Content-Length and as a raw JPEG run, against a plain copy of the same bytes. Not a test (speed is
 * never asserted); run it with {@code java -cp target/classes:target/test-classes:<dependencies>
 * org.mjpegserver.fetch.PartReaderThroughput}.
 */
final class PartReaderThroughput {

    private static final int FRAMES = 100;
    private static final int ROUNDS = 7;

    private PartReaderThroughput() {
    }

    public static void main(String[] args) throws Exception {
        List<byte[]> jpegs = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            jpegs.add(TestImages.withComment(camera(i), "frame " + i));
        }
        long average = jpegs.stream().mapToLong(j -> j.length).sum() / jpegs.size();
        String ct = "multipart/x-mixed-replace;boundary=123456789000000000000987654321";
        byte[] withLength = stream(jpegs, f -> concat(ascii("\r\n--123456789000000000000987654321\r\nContent-Type: image/jpeg\r\nContent-Length: "
                + f.length + "\r\nX-Timestamp: 1712345678.123456\r\n\r\n"), f));
        byte[] withoutLength = stream(jpegs, f -> concat(ascii("--123456789000000000000987654321\r\nContent-Type: image/jpeg\r\n\r\n"), f, ascii("\r\n")));
        byte[] raw = stream(jpegs, f -> f);
        System.out.printf(Locale.ROOT, "%d parts of %d bytes on average (1280x720), %.1f MB a stream; best of %d rounds%n",
                FRAMES, average, withLength.length / 1e6, ROUNDS);
        System.out.printf(Locale.ROOT, "%-40s %10s %12s %14s%n", "", "MB/s", "us/frame", "% core @30fps");
        report("copy only (64 KB reads, baseline)", withLength.length, () -> copy(withLength));
        report("read(), Content-Length", withLength.length, () -> parts(withLength, ct, false));
        report("skip(), Content-Length", withLength.length, () -> parts(withLength, ct, true));
        report("read(), no Content-Length", withoutLength.length, () -> parts(withoutLength, ct, false));
        report("skip(), no Content-Length", withoutLength.length, () -> parts(withoutLength, ct, true));
        report("read(), raw JPEG run", raw.length, () -> parts(raw, null, false));
        report("skip(), raw JPEG run", raw.length, () -> parts(raw, null, true));
    }

    private interface Run {
        void run() throws Exception;
    }

    private static void report(String name, long bytes, Run run) throws Exception {
        for (int i = 0; i < 3; i++) {
            run.run(); // warm-up
        }
        long best = Long.MAX_VALUE;
        for (int i = 0; i < ROUNDS; i++) {
            long start = System.nanoTime();
            run.run();
            best = Math.min(best, System.nanoTime() - start);
        }
        double mbPerSecond = bytes / (best / 1e9) / 1e6;
        double microsPerFrame = best / 1e3 / FRAMES;
        System.out.printf(Locale.ROOT, "%-40s %10.0f %12.1f %14.2f%n", name, mbPerSecond, microsPerFrame, microsPerFrame * 30 / 1e4);
    }

    private static void parts(byte[] body, String contentType, boolean skip) throws IOException, FetchException {
        PartReader reader = PartReader.open(new ByteArrayInputStream(body), contentType, 20 << 20);
        int n = 0;
        while (reader.next()) {
            if (skip) {
                reader.skip();
            } else if (reader.read().length < 1000) {
                throw new IllegalStateException("short part");
            }
            n++;
        }
        if (n != FRAMES) {
            throw new IllegalStateException(n + " parts");
        }
    }

    private static void copy(byte[] body) throws IOException {
        InputStream in = new ByteArrayInputStream(body);
        byte[] buffer = new byte[PartReader.BUFFER];
        while (in.read(buffer) >= 0) {
            // bytes land in the buffer and nowhere else
        }
    }

    private interface Part {
        byte[] of(byte[] jpeg);
    }

    private static byte[] stream(List<byte[]> jpegs, Part part) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < FRAMES; i++) {
            out.writeBytes(part.of(jpegs.get(i % jpegs.size())));
        }
        return out.toByteArray();
    }

    /** A camera-like 1280x720 picture: gradient, shapes and sensor noise, about 100 KB at quality 0.75. */
    private static byte[] camera(int seed) {
        BufferedImage image = new BufferedImage(1280, 720, BufferedImage.TYPE_INT_RGB);
        Random random = new Random(seed);
        Graphics2D g = image.createGraphics();
        g.setPaint(new GradientPaint(0, 0, Color.getHSBColor(seed / 10f, 0.5f, 0.9f), 1280, 720, Color.DARK_GRAY));
        g.fillRect(0, 0, 1280, 720);
        for (int i = 0; i < 30; i++) {
            g.setColor(new Color(random.nextInt(0x1000000)));
            g.fillOval(random.nextInt(1280), random.nextInt(720), 20 + random.nextInt(300), 20 + random.nextInt(200));
        }
        g.dispose();
        for (int y = 0; y < 720; y++) {
            for (int x = 0; x < 1280; x++) {
                int n = random.nextInt(17) - 8;
                int rgb = image.getRGB(x, y);
                image.setRGB(x, y, clamp((rgb >> 16 & 0xFF) + n) << 16 | clamp((rgb >> 8 & 0xFF) + n) << 8 | clamp((rgb & 0xFF) + n));
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(image, "jpeg", out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static int clamp(int value) {
        return Math.max(0, Math.min(255, value));
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static byte[] concat(byte[]... pieces) {
        return Arrays.stream(pieces).collect(ByteArrayOutputStream::new, ByteArrayOutputStream::writeBytes, (a, b) -> a.writeBytes(b.toByteArray()))
                .toByteArray();
    }
}

package org.mjpegserver.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.GradientPaint;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;

/**
 * Distinct 1280x720 camera-like JPEGs of about 100 KB, each with an empty {@link Stamp} segment: a scene of
 * gradients and shapes plus sensor-like noise, whose strength is tuned once so the files come out near the size.
 */
final class FramePool {

    static final int WIDTH = 1280;
    static final int HEIGHT = 720;
    private static final float QUALITY = 0.85f;
    private static final long SOURCE_PERIOD_NANOS = 200_000_000L;

    private FramePool() {
    }

    static List<byte[]> generate(int count, int targetBytes) {
        int noise = calibrateNoise(targetBytes);
        List<byte[]> frames = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            frames.add(Stamp.withEmptyStamp(encode(render(i, noise))));
        }
        return frames;
    }

    static void save(List<byte[]> frames, Path folder) throws IOException {
        Files.createDirectories(folder);
        try (Stream<Path> old = Files.list(folder)) {
            for (Path file : (Iterable<Path>) old::iterator) {
                Files.delete(file);
            }
        }
        for (int i = 0; i < frames.size(); i++) {
            Files.write(folder.resolve(String.format("frame-%02d.jpg", i)), frames.get(i));
        }
    }

    /**
     * Which of {@code count} pictures a camera showing one after another, 5 a second, shows now: the trivial sender
     * and the ceiling servlet rotate through the pool as the upstream, fetched 5 times a second, does.
     */
    static int current(int count) {
        return (int) (System.nanoTime() / SOURCE_PERIOD_NANOS % count);
    }

    static List<byte[]> load(Path folder) throws IOException {
        List<byte[]> frames = new ArrayList<>();
        try (Stream<Path> files = Files.list(folder).sorted()) {
            for (Path file : (Iterable<Path>) files::iterator) {
                frames.add(Files.readAllBytes(file));
            }
        }
        return frames;
    }

    /** Binary search on the noise amplitude for the first scene; the others come out close to it. */
    private static int calibrateNoise(int targetBytes) {
        int low = 0;
        int high = 64;
        while (high - low > 1) {
            int middle = (low + high) / 2;
            if (encode(render(0, middle)).length < targetBytes) {
                low = middle;
            } else {
                high = middle;
            }
        }
        return low;
    }

    private static BufferedImage render(int index, int noise) {
        BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
        Random random = new Random(index * 7919L + 17);
        Graphics2D g = image.createGraphics();
        try {
            float hue = index / 20f;
            g.setPaint(new GradientPaint(0, 0, Color.getHSBColor(hue, 0.5f, 0.9f), WIDTH, HEIGHT,
                    Color.getHSBColor(hue + 0.3f, 0.6f, 0.3f)));
            g.fillRect(0, 0, WIDTH, HEIGHT);
            for (int i = 0; i < 40; i++) {
                g.setColor(Color.getHSBColor(random.nextFloat(), 0.6f, 0.3f + 0.6f * random.nextFloat()));
                int x = random.nextInt(WIDTH);
                int y = random.nextInt(HEIGHT);
                int w = 20 + random.nextInt(300);
                int h = 20 + random.nextInt(200);
                if (i % 3 == 0) {
                    g.fillOval(x, y, w, h);
                } else if (i % 3 == 1) {
                    g.fillRect(x, y, w, h);
                } else {
                    g.setStroke(new BasicStroke(1 + random.nextInt(6)));
                    g.drawLine(x, y, random.nextInt(WIDTH), random.nextInt(HEIGHT));
                }
            }
            g.setColor(Color.WHITE);
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 96));
            g.drawString("bench frame " + index, 60, HEIGHT - 80);
        } finally {
            g.dispose();
        }
        int[] row = new int[WIDTH];
        for (int y = 0; y < HEIGHT; y++) {
            image.getRGB(0, y, WIDTH, 1, row, 0, WIDTH);
            for (int x = 0; x < WIDTH; x++) {
                int n = noise == 0 ? 0 : random.nextInt(2 * noise + 1) - noise;
                int rgb = row[x];
                row[x] = clamp((rgb >> 16 & 0xff) + n) << 16 | clamp((rgb >> 8 & 0xff) + n) << 8 | clamp((rgb & 0xff) + n);
            }
            image.setRGB(0, y, WIDTH, 1, row, 0, WIDTH);
        }
        return image;
    }

    private static int clamp(int value) {
        return Math.max(0, Math.min(255, value));
    }

    /** The same pictures at {@code width} wide, aspect kept, smoothly scaled: what a viewer at {@code ?width=} gets. */
    static List<byte[]> scaled(List<byte[]> frames, int width) throws IOException {
        List<byte[]> small = new ArrayList<>();
        for (byte[] frame : frames) {
            BufferedImage source = ImageIO.read(new java.io.ByteArrayInputStream(frame));
            int height = Math.round(source.getHeight() * (float) width / source.getWidth());
            BufferedImage target = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
            Graphics2D g = target.createGraphics();
            g.setRenderingHint(java.awt.RenderingHints.KEY_INTERPOLATION, java.awt.RenderingHints.VALUE_INTERPOLATION_BICUBIC);
            g.drawImage(source.getScaledInstance(width, height, java.awt.Image.SCALE_AREA_AVERAGING), 0, 0, null);
            g.dispose();
            small.add(Stamp.withEmptyStamp(encode(target)));
        }
        return small;
    }

    private static byte[] encode(BufferedImage image) {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        ImageWriteParam param = writer.getDefaultWriteParam();
        param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
        param.setCompressionQuality(QUALITY);
        ByteArrayOutputStream out = new ByteArrayOutputStream(256 * 1024);
        try (ImageOutputStream stream = ImageIO.createImageOutputStream(out)) {
            writer.setOutput(stream);
            writer.write(null, new IIOImage(image, null, null), param);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            writer.dispose();
        }
        return out.toByteArray();
    }
}

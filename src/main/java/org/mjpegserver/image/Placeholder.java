package org.mjpegserver.image;

import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;

/** The built-in stale image, for images whose config sets no {@code stale_image_path}. */
public final class Placeholder {

    private Placeholder() {
    }

    public static byte[] staleJpeg() {
        BufferedImage image = new BufferedImage(640, 360, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(new Color(0x20, 0x20, 0x24));
        g.fillRect(0, 0, image.getWidth(), image.getHeight());
        g.setColor(new Color(0xd0, 0xd0, 0xd0));
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 34));
        centre(g, "Image unavailable", image.getWidth(), 170);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 20));
        g.setColor(new Color(0x90, 0x90, 0x90));
        centre(g, "waiting for the camera to answer", image.getWidth(), 215);
        g.dispose();
        return JpegCodec.encode(image);
    }

    static void centre(Graphics2D g, String text, int width, int baseline) {
        FontMetrics metrics = g.getFontMetrics();
        g.drawString(text, (width - metrics.stringWidth(text)) / 2, baseline);
    }
}

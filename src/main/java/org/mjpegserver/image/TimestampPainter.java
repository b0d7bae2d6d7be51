package org.mjpegserver.image;

import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import org.mjpegserver.config.Shaping;

/**
 * Draws a frame's arrival time (and the image id, if asked) in a corner: white text on a dark box, readable on
 * any picture. The text is sized to the picture it lands on, about a twentieth of its shorter side and never
 * under 12 px, so it stays legible on a frame scaled down to 320 px wide and fits a frame turned on its side.
 */
final class TimestampPainter {

    private static final int MIN_SIZE = 12;
    private static final Color BOX = new Color(0, 0, 0, 170);

    private final Shaping.TimestampOverlay overlay;
    private final DateTimeFormatter formatter;
    private final String imageId;

    TimestampPainter(Shaping.TimestampOverlay overlay, String imageId) {
        this.overlay = overlay;
        this.formatter = overlay.formatter();
        this.imageId = imageId;
    }

    void paint(BufferedImage image, Instant arrived) {
        String text = formatter.format(arrived) + (overlay.showId() ? "  " + imageId : "");
        int width = image.getWidth();
        int height = image.getHeight();
        Graphics2D g = image.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            int size = Math.max(MIN_SIZE, Math.min(width, height) / 20);
            FontMetrics metrics;
            do {
                g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, size));
                metrics = g.getFontMetrics();
            } while (metrics.stringWidth(text) + size > width && --size > MIN_SIZE / 2);
            int padding = Math.max(2, size / 4);
            int boxWidth = Math.min(width, metrics.stringWidth(text) + 2 * padding);
            int boxHeight = Math.min(height, metrics.getAscent() + metrics.getDescent() + padding);
            boolean right = overlay.position() == Shaping.Corner.TOP_RIGHT || overlay.position() == Shaping.Corner.BOTTOM_RIGHT;
            boolean bottom = overlay.position() == Shaping.Corner.BOTTOM_LEFT || overlay.position() == Shaping.Corner.BOTTOM_RIGHT;
            int x = right ? width - boxWidth : 0;
            int y = bottom ? height - boxHeight : 0;
            g.setColor(BOX);
            g.fillRect(x, y, boxWidth, boxHeight);
            g.setColor(Color.WHITE);
            g.drawString(text, x + padding, y + padding / 2 + metrics.getAscent());
        } finally {
            g.dispose();
        }
    }
}

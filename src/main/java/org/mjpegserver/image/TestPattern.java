package org.mjpegserver.image;

import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;

/** Renders the built-in {@code testpattern:} source: colour bars, the time and a frame counter. */
public final class TestPattern {

    private static final Color[] BARS = {
        Color.WHITE, Color.YELLOW, Color.CYAN, Color.GREEN, Color.MAGENTA, Color.RED, Color.BLUE, Color.BLACK
    };
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS");

    private final int width;
    private final int height;
    private final String title;

    public TestPattern(int width, int height, String title) {
        this.width = width;
        this.height = height;
        this.title = title;
    }

    public byte[] render(long frameNumber, ZonedDateTime time) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        int barWidth = (width + BARS.length - 1) / BARS.length;
        for (int i = 0; i < BARS.length; i++) {
            g.setColor(BARS[i]);
            g.fillRect(i * barWidth, 0, barWidth, height * 2 / 3);
        }
        // A block that sweeps across makes motion visible even where the text is too small to read.
        g.setColor(new Color(0x10, 0x10, 0x10));
        g.fillRect(0, height * 2 / 3, width, height - height * 2 / 3);
        g.setColor(Color.ORANGE);
        int sweep = (int) (frameNumber % 60);
        g.fillRect(sweep * width / 60, height * 2 / 3, Math.max(4, width / 60), height / 24);
        g.setColor(Color.WHITE);
        int fontSize = Math.max(10, height / 14);
        g.setFont(new Font(Font.MONOSPACED, Font.BOLD, fontSize));
        int textTop = height * 2 / 3 + height / 24 + fontSize;
        g.drawString(title + "  #" + frameNumber, fontSize / 2, textTop);
        g.drawString(TIME.format(time), fontSize / 2, textTop + fontSize + fontSize / 4);
        g.dispose();
        return JpegCodec.encode(image);
    }

    public static ZonedDateTime now() {
        return ZonedDateTime.now(ZoneId.systemDefault());
    }
}

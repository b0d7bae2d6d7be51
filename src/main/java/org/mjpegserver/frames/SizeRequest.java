package org.mjpegserver.frames;

import org.mjpegserver.image.JpegDimensions;

/**
 * What {@code ?width=} and {@code ?height=} ask for, 0 where not given: a box the picture must fit in, aspect
 * ratio kept. It resolves to one of a few width steps, so that viewers asking for nearly the same size share one
 * scaled frame and a client cannot make the server scale to every width from 1 to 4000.
 */
public record SizeRequest(int width, int height) {

    /** No size asked for: the source's own. */
    public static final SizeRequest SOURCE = new SizeRequest(0, 0);
    /** The widths a picture is scaled to; a request gets the largest that fits in its box, at least the first. */
    static final int[] WIDTH_STEPS = {80, 160, 240, 320, 480, 640, 800, 960, 1280, 1600, 1920, 2560, 3840};
    /** Above this (8K) a width or height is a mistake, not a screen. */
    public static final int MAX_PIXELS_PER_SIDE = 7680;

    /** Parses the two query parameters (null when absent); throws with a one-line reason for a client. */
    public static SizeRequest parse(String width, String height) {
        return new SizeRequest(side("width", width), side("height", height));
    }

    private static int side(String name, String value) {
        if (value == null) {
            return 0;
        }
        int pixels;
        try {
            pixels = Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            pixels = -1;
        }
        if (pixels < 1 || pixels > MAX_PIXELS_PER_SIDE) {
            throw new IllegalArgumentException(name + " must be a whole number of pixels from 1 to " + MAX_PIXELS_PER_SIDE);
        }
        return pixels;
    }

    /**
     * The width step for a source of {@code source}'s size, or 0 when the source itself fits (a picture is never
     * scaled up) or its size cannot be read.
     */
    int widthStep(JpegDimensions source) {
        if (source == null || width == 0 && height == 0) {
            return 0;
        }
        long fit = width == 0 ? Long.MAX_VALUE : width;
        if (height != 0) {
            fit = Math.min(fit, (long) height * source.width() / source.height());
        }
        int step = WIDTH_STEPS[0];
        for (int candidate : WIDTH_STEPS) {
            if (candidate <= fit) {
                step = candidate;
            }
        }
        return step >= source.width() ? 0 : step;
    }
}

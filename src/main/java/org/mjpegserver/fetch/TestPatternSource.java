package org.mjpegserver.fetch;

import org.mjpegserver.config.ImageConfig;
import org.mjpegserver.image.TestPattern;

/** The built-in {@code testpattern:WIDTHxHEIGHT} source: a new picture at every fetch, for a demo without a camera. */
final class TestPatternSource implements Source {

    private final TestPattern pattern;
    private long frameNumber;

    TestPatternSource(ImageConfig image) {
        String[] size = image.url().getSchemeSpecificPart().split("x");
        this.pattern = new TestPattern(Integer.parseInt(size[0]), Integer.parseInt(size[1]), image.id());
    }

    @Override
    public Fetched fetch() {
        return new Fetched.Snapshot(pattern.render(++frameNumber, TestPattern.now()));
    }
}

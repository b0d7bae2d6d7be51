package org.mjpegserver.frames;

/** An open stream of an image, as the feed sees it: told of each new frame, asked for its frame rate. */
public interface Viewer {

    /** A new frame arrived; called on the fetching thread, so it must not block. */
    void onFrame(Frame frame);

    /** The feed went stale under {@code disconnect}, or was removed: end the stream. */
    void end();

    /** The frame rate this viewer streams at, which the feed's fetch rate follows. */
    double fps();

    ViewerInfo info();

    /** The size this viewer's frames are made at, fixed for its life; null for the source's own. */
    default Rendition rendition() {
        return null;
    }
}

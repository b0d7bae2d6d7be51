package org.mjpegserver.fetch;

/** Told of every fetch's outcome and duration, for metrics. Must be quick and must not throw. */
@FunctionalInterface
public interface FetchObserver {

    FetchObserver NONE = (imageId, ok, nanos) -> { };

    void fetched(String imageId, boolean ok, long nanos);

    /** The image left the config: forget what was recorded for it. Its poller has stopped reporting. */
    default void removed(String imageId) {
    }
}

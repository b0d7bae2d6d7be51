package org.mjpegserver.api;

import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.exporter.servlet.jakarta.PrometheusMetricsServlet;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import jakarta.servlet.http.HttpServlet;
import java.util.function.ToDoubleFunction;
import org.mjpegserver.fetch.FetchObserver;
import org.mjpegserver.frames.FeedState;
import org.mjpegserver.frames.FrameStore;
import org.mjpegserver.frames.ImageFeed;

/**
 * {@code GET /metrics} in the Prometheus text format, with the official client. Most values are read from the
 * feeds when scraped, so there is one set of counters, not two. The registry belongs to this webapp rather than
 * the JVM-wide default, so a redeploy starts clean and leaves nothing behind.
 */
public final class Metrics implements FetchObserver {

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final Histogram fetchDuration;

    public Metrics(FrameStore store) {
        fetchDuration = Histogram.builder()
                .name("mjpeg_fetch_duration_seconds")
                .help("Duration of snapshot fetches, including validation")
                .labelNames("image", "result")
                .classicOnly()
                // Exemplar sampling runs a JVM-wide thread that would outlive an undeploy.
                .withoutExemplars()
                .classicUpperBounds(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15)
                .register(registry);
        CounterWithCallback.builder()
                .name("mjpeg_fetches_total")
                .help("Snapshot fetches by image and result")
                .labelNames("image", "result")
                .callback(callback -> store.feeds().forEach(feed -> {
                    callback.call(feed.fetchesOk(), feed.id(), "ok");
                    callback.call(feed.fetchesFailed(), feed.id(), "error");
                }))
                .register(registry);
        perImageGauge(store, "mjpeg_seconds_since_last_frame", "Seconds since the last valid frame", ImageFeed::secondsSinceLastGood);
        perImageGauge(store, "mjpeg_open_streams", "Open MJPEG streams", feed -> feed.viewers().size());
        perImageGauge(store, "mjpeg_stale", "1 while the image is stale", feed -> feed.state() == FeedState.STALE ? 1 : 0);
        perImageCounter(store, "mjpeg_frames_sent", "Frames written to streams", ImageFeed::framesSent);
        perImageCounter(store, "mjpeg_bytes_sent", "Bytes of frames written to streams", ImageFeed::bytesSent);
        perImageCounter(store, "mjpeg_frames_skipped", "New frames a slow viewer skipped for a newer one", ImageFeed::framesSkipped);
        perImageCounter(store, "mjpeg_source_frames_received", "Frames a streaming camera sent, taken or not", feed -> feed.source().framesReceived());
        perImageCounter(store, "mjpeg_source_frames_dropped", "Frames a streaming camera sent that were read and thrown away",
                feed -> feed.source().framesDropped());
        perImageCounter(store, "mjpeg_frames_shaped", "Frames cropped, rotated, scaled or stamped as the image's config asks",
                ImageFeed::framesShaped);
        perImageCounter(store, "mjpeg_shaping_seconds", "Time spent shaping frames as the image's config asks", ImageFeed::shapingSeconds);
        perImageCounter(store, "mjpeg_frames_scaled", "Frames scaled for ?width= and ?height= requests, once per size", ImageFeed::framesScaled);
        perImageCounter(store, "mjpeg_scale_seconds", "Time spent scaling frames (decoding, resampling, encoding)", ImageFeed::scaleSeconds);
        perImageGauge(store, "mjpeg_sizes", "Sizes an image is being produced at for ?width= and ?height=", feed -> feed.renditions().size());
        perImageGauge(store, "mjpeg_source_connected", "1 while a streaming camera's connection is open", feed -> feed.source().connected() ? 1 : 0);
    }

    private void perImageGauge(FrameStore store, String name, String help, ToDoubleFunction<ImageFeed> value) {
        GaugeWithCallback.builder().name(name).help(help).labelNames("image")
                .callback(callback -> store.feeds().forEach(feed -> callback.call(value.applyAsDouble(feed), feed.id())))
                .register(registry);
    }

    private void perImageCounter(FrameStore store, String name, String help, ToDoubleFunction<ImageFeed> value) {
        CounterWithCallback.builder().name(name).help(help).labelNames("image")
                .callback(callback -> store.feeds().forEach(feed -> callback.call(value.applyAsDouble(feed), feed.id())))
                .register(registry);
    }

    @Override
    public void fetched(String imageId, boolean ok, long nanos) {
        fetchDuration.labelValues(imageId, ok ? "ok" : "error").observe(nanos / 1e9);
    }

    @Override
    public void removed(String imageId) {
        fetchDuration.remove(imageId, "ok");
        fetchDuration.remove(imageId, "error");
    }

    public HttpServlet servlet() {
        return new PrometheusMetricsServlet(registry);
    }
}

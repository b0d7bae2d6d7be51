package org.mjpegserver.api;

import jakarta.servlet.ServletContext;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.container.AsyncResponse;
import jakarta.ws.rs.container.Suspended;
import jakarta.ws.rs.core.CacheControl;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.EntityTag;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Request;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.mjpegserver.config.ConfigLoader;
import org.mjpegserver.config.Redaction;
import org.mjpegserver.frames.Frame;
import org.mjpegserver.frames.FeedState;
import org.mjpegserver.frames.FrameStore;
import org.mjpegserver.frames.ImageFeed;
import org.mjpegserver.frames.Rendition;
import org.mjpegserver.frames.SizeRequest;
import org.mjpegserver.frames.SourceStatus;
import org.mjpegserver.frames.Viewer;
import org.mjpegserver.frames.ViewerInfo;
import org.mjpegserver.image.JpegDimensions;
import org.mjpegserver.stream.Connectors;

/** {@code GET /images} (a summary of every image) and {@code GET /images/{id}} (its latest frame). */
@Path("images")
public final class ImagesResource {

    @Context
    private ServletContext servletContext;
    @Context
    private UriInfo uriInfo;
    @Context
    private HttpServletRequest request;

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public Map<String, Object> list() {
        Map<String, Object> images = new LinkedHashMap<>();
        for (ImageFeed feed : store().feeds()) {
            images.put(feed.id(), summary(feed));
        }
        return images;
    }

    /**
     * The latest frame, scaled down to fit {@code width} and {@code height} when asked. An image that rests
     * (fetched on demand) or has had no frame yet is woken, and the answer waits for its next frame, up to the
     * image's read timeout.
     */
    @GET
    @Path("{id}")
    @Produces("image/jpeg")
    public void snapshot(@PathParam("id") String id, @QueryParam("width") String width, @QueryParam("height") String height,
            @Context Request request, @Suspended AsyncResponse async) {
        ImageFeed feed = feed(id);
        SizeRequest size;
        try {
            size = SizeRequest.parse(width, height);
        } catch (IllegalArgumentException e) {
            throw Failure.of(Response.Status.BAD_REQUEST, e.getMessage());
        }
        feed.snapshotRequested();
        FeedState state = feed.state();
        if (state == FeedState.IDLE || state == FeedState.STARTING && feed.latest() == null) {
            async.setTimeout(feed.config().settings().readTimeout().toMillis(), TimeUnit.MILLISECONDS);
            async.setTimeoutHandler(late -> resume(late, answer(feed, feed.current(), size, null)));
            feed.nextFrame().whenComplete((frame, error) -> resume(async, answer(feed, frame == null ? feed.current() : frame, size, null)));
            return;
        }
        resume(async, answer(feed, feed.current(), size, request));
    }

    private static void resume(AsyncResponse async, Object answer) {
        if (answer instanceof Throwable failure) {
            async.resume(failure);
        } else {
            async.resume(answer);
        }
    }

    /**
     * The frame at the size asked for as a response (304 when {@code request}'s preconditions say the client has
     * it), or the reason there is none. A scaled frame's tag names its width step, so each size is cached apart.
     */
    private static Object answer(ImageFeed feed, Frame source, SizeRequest size, Request request) {
        if (source == null) {
            String reason = feed.refusing() ? "image '" + feed.id() + "' is stale"
                    : "image '" + feed.id() + "' has no frame yet" + (feed.lastError() == null ? "" : " (" + feed.lastError() + ")");
            return Failure.of(Response.Status.SERVICE_UNAVAILABLE, reason, Response.status(503).header("Retry-After", "5"));
        }
        Rendition rendition = feed.rendition(size, source);
        Frame frame = feed.at(rendition, source);
        EntityTag tag = new EntityTag(Long.toHexString(frame.sequence()) + "-" + Long.toHexString(frame.capturedAt().toEpochMilli())
                + (rendition == null ? "" : "-w" + rendition.width()));
        Date modified = Date.from(frame.capturedAt());
        CacheControl noStore = CacheControl.valueOf("no-cache, max-age=0");
        Response.ResponseBuilder notModified = request == null ? null : request.evaluatePreconditions(modified, tag);
        if (notModified != null) {
            return notModified.cacheControl(noStore).build();
        }
        // The whole JPEG is in memory, so say its length: Jersey would count only bodies under its 8 KB buffer and
        // chunk the rest, which HTTP/1.0 clients, progress bars and size checks cannot use. HEAD keeps the header.
        return Response.ok(frame.jpeg(), "image/jpeg").header(HttpHeaders.CONTENT_LENGTH, frame.jpeg().length)
                .tag(tag).lastModified(modified).cacheControl(noStore).build();
    }

    private Map<String, Object> summary(ImageFeed feed) {
        Map<String, Object> out = new LinkedHashMap<>();
        var base = uriInfo.getBaseUriBuilder().path("images").path(feed.id());
        out.put("image_url", base.build().toString());
        out.put("stream_url", base.path("stream").build().toString());
        Frame latest = feed.latest();
        out.put("last_updated", latest == null ? null : latest.capturedAt().toString());
        out.put("state", feed.state().name().toLowerCase(java.util.Locale.ROOT));
        out.put("last_error", feed.lastError());
        out.put("last_error_time", feed.lastErrorAt() == null ? null : feed.lastErrorAt().toString());
        out.put("fetches_ok", feed.fetchesOk());
        out.put("fetches_failed", feed.fetchesFailed());
        out.put("average_fetch_fps", round(feed.averageFetchFps()));
        out.put("source", source(feed.source()));
        List<Map<String, Object>> streams = new ArrayList<>();
        double peak = 0;
        for (Viewer viewer : feed.viewers()) {
            ViewerInfo info = viewer.info();
            peak = Math.max(peak, info.streamFps());
            Map<String, Object> stream = new LinkedHashMap<>();
            stream.put("client_id", info.clientId());
            stream.put("start_time", info.startTime().toString());
            stream.put("requested_fps", info.requestedFps());
            stream.put("stream_fps", info.streamFps());
            stream.put("average_stream_fps", round(info.averageStreamFps()));
            stream.put("frames_sent", info.framesSent());
            stream.put("size", viewer.rendition() == null ? null : size(viewer.rendition()));
            streams.add(stream);
        }
        out.put("peak_stream_fps", peak);
        List<Map<String, Object>> sizes = new ArrayList<>();
        for (Rendition rendition : feed.renditions()) {
            Map<String, Object> entry = size(rendition);
            entry.put("viewers", rendition.viewerCount());
            sizes.add(entry);
        }
        out.put("sizes", sizes);
        // Streams of this image through the connector that serves this request: null when a frame fits its buffer.
        Connectors connectors = (Connectors) servletContext.getAttribute(Connectors.class.getName());
        out.put("connector_advice", latest == null || connectors == null ? null
                : connectors.advice(request.getLocalPort(), latest.part().length));
        out.put("config", Redaction.describe(feed.config()));
        out.put("streams", streams);
        return out;
    }

    /** A size as produced: the width and height of the newest frame made, or the width step before the first. */
    private static Map<String, Object> size(Rendition rendition) {
        JpegDimensions made = rendition.madeSize();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("width", made == null ? rendition.width() : made.width());
        out.put("height", made == null ? null : made.height());
        return out;
    }

    private static Map<String, Object> source(SourceStatus status) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("kind", status.kind().name().toLowerCase(java.util.Locale.ROOT));
        if (status.kind() == SourceStatus.Kind.STREAM) {
            out.put("connected", status.connected());
            out.put("frames_received", status.framesReceived());
            out.put("frames_dropped", status.framesDropped());
        }
        return out;
    }

    private static double round(double value) {
        return Math.round(value * 100) / 100.0;
    }

    private ImageFeed feed(String id) {
        if (!ConfigLoader.ID_PATTERN.matcher(id).matches()) {
            throw Failure.of(Response.Status.BAD_REQUEST, "invalid image id: use letters, digits, '_' and '-'");
        }
        ImageFeed feed = store().feed(id);
        if (feed == null) {
            throw Failure.of(Response.Status.NOT_FOUND, "unknown image id '" + id + "'");
        }
        return feed;
    }

    private FrameStore store() {
        FrameStore store = (FrameStore) servletContext.getAttribute(FrameStore.class.getName());
        if (store == null) {
            throw Failure.of(Response.Status.SERVICE_UNAVAILABLE, "server is not running");
        }
        return store;
    }
}

package org.mjpegserver.stream;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.mjpegserver.config.ConfigLoader;
import org.mjpegserver.frames.Frame;
import org.mjpegserver.frames.FrameStore;
import org.mjpegserver.frames.ImageFeed;
import org.mjpegserver.frames.Rendition;
import org.mjpegserver.frames.SizeRequest;

/**
 * {@code GET /images/{id}/stream[?frame_rate=N][&width=W][&height=H]}: the image as an endless
 * multipart/x-mixed-replace stream, at the source's size or scaled down to fit the width and height asked for.
 * The request thread returns at once; {@link StreamSession} writes the frames.
 */
public final class StreamServlet extends HttpServlet {

    /** Ceiling for {@code ?frame_rate}: above it a stream only costs bandwidth, no browser shows more. */
    static final double MAX_FRAME_RATE = 60;

    /** Streams are read-only: another method is 405 with the Allow header that HTTP requires, rather than
     * the servlet default (405 without Allow, or 501 for a method it does not know). */
    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws ServletException, IOException {
        String method = request.getMethod();
        if (method.equals("GET") || method.equals("HEAD") || method.equals("OPTIONS")) {
            super.service(request, response);
            return;
        }
        response.setHeader("Allow", "GET, HEAD, OPTIONS");
        response.sendError(HttpServletResponse.SC_METHOD_NOT_ALLOWED, "method " + method + " not allowed: streams are read with GET");
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        StreamRequest stream = parse(request, response);
        if (stream == null) {
            return;
        }
        StreamClock clock = (StreamClock) getServletContext().getAttribute(StreamClock.class.getName());
        Connectors connectors = (Connectors) getServletContext().getAttribute(Connectors.class.getName());
        int sliceBytes = connectors.writeBuffer(request.getLocalPort());
        headers(response);
        AsyncContext async = request.startAsync();
        // Tomcat ends an async request after 30 s by default; a stream lasts until the viewer leaves.
        async.setTimeout(0);
        Rendition rendition = stream.feed().rendition(stream.size(), stream.feed().latest());
        new StreamSession(async, stream.feed(), clock, stream.fps(), stream.requestedFps(), rendition, sliceBytes).start();
    }

    @Override
    protected void doHead(HttpServletRequest request, HttpServletResponse response) throws IOException {
        if (parse(request, response) != null) {
            headers(response);
        }
    }

    private record StreamRequest(ImageFeed feed, double fps, Double requestedFps, SizeRequest size) {
    }

    /** The feed and frame rate asked for, or null after sending a 4xx/503 that says what is wrong. */
    private StreamRequest parse(HttpServletRequest request, HttpServletResponse response) throws IOException {
        // Jersey serves /images/{id} and passes on what it cannot: "/{id}/stream", or an id it did not find.
        String path = request.getPathInfo();
        String[] segments = path == null ? new String[0] : path.substring(1).split("/", -1);
        boolean stream = segments.length == 2 && segments[1].equals("stream");
        if (!stream && segments.length != 1) {
            response.sendError(HttpServletResponse.SC_NOT_FOUND, "no such path");
            return null;
        }
        String id = segments[0];
        if (!ConfigLoader.ID_PATTERN.matcher(id).matches()) {
            response.sendError(HttpServletResponse.SC_BAD_REQUEST, "invalid image id: use letters, digits, '_' and '-'");
            return null;
        }
        FrameStore store = (FrameStore) getServletContext().getAttribute(FrameStore.class.getName());
        ImageFeed feed = store == null ? null : store.feed(id);
        if (feed == null) {
            response.sendError(HttpServletResponse.SC_NOT_FOUND, "unknown image id '" + id + "'");
            return null;
        }
        if (!stream) {
            response.sendError(HttpServletResponse.SC_NOT_FOUND, "no such path");
            return null;
        }
        double fps = feed.config().settings().streamFps();
        Double requested = null;
        String frameRate = request.getParameter("frame_rate");
        if (frameRate != null) {
            try {
                requested = Double.parseDouble(frameRate.trim());
            } catch (NumberFormatException e) {
                requested = Double.NaN;
            }
            if (requested.isNaN() || requested <= 0) {
                response.sendError(HttpServletResponse.SC_BAD_REQUEST,
                        "frame_rate must be a number greater than 0 (at most " + (int) MAX_FRAME_RATE + " is used)");
                return null;
            }
            fps = Math.min(requested, MAX_FRAME_RATE);
        }
        SizeRequest size;
        try {
            size = SizeRequest.parse(request.getParameter("width"), request.getParameter("height"));
        } catch (IllegalArgumentException e) {
            response.sendError(HttpServletResponse.SC_BAD_REQUEST, e.getMessage());
            return null;
        }
        if (feed.refusing()) {
            response.setHeader("Retry-After", "5");
            response.sendError(HttpServletResponse.SC_SERVICE_UNAVAILABLE, "image '" + id + "' is stale");
            return null;
        }
        return new StreamRequest(feed, fps, requested, size);
    }

    private static void headers(HttpServletResponse response) {
        response.setContentType(Frame.CONTENT_TYPE);
        response.setHeader("Cache-Control", "no-store, no-cache, must-revalidate, max-age=0");
        response.setHeader("Pragma", "no-cache");
        response.setHeader("X-Accel-Buffering", "no");
        response.setHeader("Connection", "close");
    }
}

package org.mjpegserver.api;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Set;
import org.mjpegserver.frames.FrameStore;
import org.mjpegserver.frames.ImageFeed;

/**
 * Optional {@code access_token}: when the config sets one, every endpoint but {@code /health} and the dashboard's own
 * static files wants it as
 * {@code Authorization: Bearer} or as {@code ?token=} (for browsers' img tags and other clients that cannot send a
 * header). An image may set its own token.
 * A request without a valid token gets the same 401 whether or not the image exists, so ids stay private.
 */
public final class AccessFilter extends HttpFilter {

    private static final String IMAGES = "/images/";
    /**
     * The dashboard's page, script and style hold no data (the script asks {@code /images} for that, with the token),
     * and must load without a token so that the page can say plainly that one is missing or wrong and ask for it.
     */
    private static final Set<String> OPEN = Set.of("/health", "/", "/index.html", "/dashboard.js", "/dashboard.css");

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        FrameStore store = (FrameStore) getServletContext().getAttribute(FrameStore.class.getName());
        // Decoded and normalised by the container, as the resources will see it: "/images/%61" is image "a".
        String path = request.getServletPath() + (request.getPathInfo() == null ? "" : request.getPathInfo());
        if (store == null || OPEN.contains(path) || allowed(store, path, presented(request))) {
            chain.doFilter(request, response);
            return;
        }
        response.setHeader("WWW-Authenticate", "Bearer realm=\"mjpeg-server\"");
        response.sendError(HttpServletResponse.SC_UNAUTHORIZED, "access token missing or wrong");
    }

    private static boolean allowed(FrameStore store, String path, String token) {
        String serverToken = store.defaults().accessToken();
        if (path.startsWith(IMAGES)) {
            int end = path.indexOf('/', IMAGES.length());
            ImageFeed feed = store.feed(path.substring(IMAGES.length(), end < 0 ? path.length() : end));
            if (feed != null) {
                // The image's own token, or the server-wide one it inherited.
                return matches(feed.config().settings().accessToken(), token);
            }
            // An unknown id answers like a known one would, unless nothing anywhere is protected.
            return serverToken == null && store.feeds().stream().allMatch(f -> f.config().settings().accessToken() == null)
                    || serverToken != null && matches(serverToken, token);
        }
        return matches(serverToken, token);
    }

    /** True when no token is required, or the presented one equals it, compared in constant time. */
    private static boolean matches(String required, String presented) {
        if (required == null) {
            return true;
        }
        if (presented == null) {
            return false;
        }
        // Digests first, so that neither content nor length of the secret shows in the time taken.
        return MessageDigest.isEqual(sha256(required), sha256(presented));
    }

    private static String presented(HttpServletRequest request) {
        String header = request.getHeader("Authorization");
        if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return header.substring(7).trim();
        }
        return request.getParameter("token");
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JRE", e);
        }
    }
}

package org.mjpegserver.api;

import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.PrintWriter;

/**
 * Every error of this webapp, whoever raised it (our code, Jersey, Tomcat's default servlet), as one short
 * plain-text line: status and reason, never a stack trace or server details.
 */
public final class ErrorPage extends HttpServlet {

    private static final int MAX_REASON = 200;

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
        if (response.isCommitted()) {
            // A response already under way, such as a stream whose viewer left: nothing more can be said on it.
            return;
        }
        Object code = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
        int status = code instanceof Integer ? (Integer) code : response.getStatus();
        String reason = (String) request.getAttribute(RequestDispatcher.ERROR_MESSAGE);
        if (status >= 500 && request.getAttribute(RequestDispatcher.ERROR_EXCEPTION) != null) {
            // An exception's message may say more than a client should see.
            reason = null;
        }
        if (reason == null || reason.isBlank()) {
            reason = defaultReason(status);
        }
        if (reason.length() > MAX_REASON) {
            reason = reason.substring(0, MAX_REASON) + "...";
        }
        response.setStatus(status);
        response.setContentType("text/plain;charset=UTF-8");
        response.setHeader("X-Content-Type-Options", "nosniff");
        response.setHeader("Cache-Control", "no-store");
        PrintWriter out = response.getWriter();
        out.print(status + " " + reason.replaceAll("[\\r\\n]", " ") + "\n");
    }

    private static String defaultReason(int status) {
        switch (status) {
            case 400: return "bad request";
            case 401: return "unauthorized";
            case 403: return "forbidden";
            case 404: return "not found";
            case 405: return "method not allowed";
            case 503: return "service unavailable";
            default: return status >= 500 ? "internal server error" : "request failed";
        }
    }
}

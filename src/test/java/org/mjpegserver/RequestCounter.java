package org.mjpegserver;

import jakarta.servlet.ServletException;
import java.io.IOException;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ValveBase;

/**
 * Counts the requests that reach Tomcat's host, by what they ask of the webapp: what a client such as the dashboard
 * costs the server, seen from the server's side.
 */
final class RequestCounter extends ValveBase {

    enum Kind { LIST, SNAPSHOT, STREAM, OTHER }

    private final Map<Kind, LongAdder> counts = new EnumMap<>(Kind.class);

    RequestCounter() {
        super(true);
        for (Kind kind : Kind.values()) {
            counts.put(kind, new LongAdder());
        }
    }

    @Override
    public void invoke(Request request, Response response) throws IOException, ServletException {
        counts.get(kind(request.getRequestURI().substring(request.getContextPath().length()))).increment();
        getNext().invoke(request, response);
    }

    private static Kind kind(String path) {
        if (path.equals("/images")) {
            return Kind.LIST;
        }
        if (path.startsWith("/images/")) {
            return path.endsWith("/stream") ? Kind.STREAM : Kind.SNAPSHOT;
        }
        return Kind.OTHER;
    }

    long count(Kind kind) {
        return counts.get(kind).sum();
    }

    /** The counts of every kind now, to subtract from a later reading. */
    Map<Kind, Long> reading() {
        Map<Kind, Long> now = new EnumMap<>(Kind.class);
        counts.forEach((kind, count) -> now.put(kind, count.sum()));
        return now;
    }
}

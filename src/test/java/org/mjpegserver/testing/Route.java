package org.mjpegserver.testing;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;

/**
 * How a {@link FakeCamera} answers one request on a path. Implementations must send
 * response headers themselves; the camera closes the exchange afterwards.
 */
@FunctionalInterface
public interface Route {

    void handle(HttpExchange exchange) throws IOException;
}

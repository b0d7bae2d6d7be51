package org.mjpegserver.api;

import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;

/**
 * A request error with our own short reason. Jersey hands an error status to the container with the status
 * type's reason phrase, so the reason rides there and {@link ErrorPage} prints it.
 */
final class Failure {

    private Failure() {
    }

    static WebApplicationException of(Response.Status status, String reason) {
        return of(status, reason, Response.status(status));
    }

    static WebApplicationException of(Response.Status status, String reason, Response.ResponseBuilder builder) {
        Response.StatusType type = new Response.StatusType() {
            @Override
            public int getStatusCode() {
                return status.getStatusCode();
            }

            @Override
            public Response.Status.Family getFamily() {
                return status.getFamily();
            }

            @Override
            public String getReasonPhrase() {
                return reason;
            }
        };
        return new WebApplicationException(reason, builder.status(type).build());
    }
}

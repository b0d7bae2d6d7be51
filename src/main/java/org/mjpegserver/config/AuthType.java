package org.mjpegserver.config;

/** How a poller authenticates to its upstream. */
public enum AuthType {
    BASIC,
    DIGEST,
    BEARER
}

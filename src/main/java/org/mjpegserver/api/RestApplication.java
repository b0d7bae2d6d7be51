package org.mjpegserver.api;

import org.glassfish.jersey.jackson.JacksonFeature;
import org.glassfish.jersey.server.ResourceConfig;

/** The JAX-RS side: the image list, snapshots and health. Streams are a plain async servlet. */
public final class RestApplication extends ResourceConfig {

    public RestApplication() {
        register(JacksonFeature.class);
        register(ImagesResource.class);
        register(HealthResource.class);
    }
}

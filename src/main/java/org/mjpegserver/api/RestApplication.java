package org.mjpegserver.api;

import org.glassfish.jersey.jackson.JacksonFeature;
import org.glassfish.jersey.server.ResourceConfig;
import org.glassfish.jersey.server.ServerProperties;

/** The JAX-RS side: the image list, snapshots and health. Streams are a plain async servlet. */
public final class RestApplication extends ResourceConfig {

    public RestApplication() {
        // WADL needs JAXB, which a servlet container does not have; it would only log a warning at start.
        property(ServerProperties.WADL_FEATURE_DISABLE, true);
        register(JacksonFeature.class);
        register(ObjectMapperProvider.class);
        register(ImagesResource.class);
        register(HealthResource.class);
    }
}

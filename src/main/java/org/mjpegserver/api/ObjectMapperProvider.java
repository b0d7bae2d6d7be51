package org.mjpegserver.api;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.util.JsonRecyclerPools;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.ws.rs.ext.ContextResolver;
import jakarta.ws.rs.ext.Provider;

/**
 * The ObjectMapper behind the JSON responses. Its buffers are pooled in the mapper rather than in a ThreadLocal of
 * each request thread, Jackson's default: Tomcat's request threads outlive the webapp, and a buffer left in one
 * of them would keep the undeployed webapp's class loader, with every class it loaded, in memory.
 */
@Provider
public final class ObjectMapperProvider implements ContextResolver<ObjectMapper> {

    private final ObjectMapper mapper = new ObjectMapper(new JsonFactory().setRecyclerPool(JsonRecyclerPools.newConcurrentDequePool()));

    @Override
    public ObjectMapper getContext(Class<?> type) {
        return mapper;
    }
}

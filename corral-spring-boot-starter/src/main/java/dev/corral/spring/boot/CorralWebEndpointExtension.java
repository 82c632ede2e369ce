package dev.corral.spring.boot;

import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
import org.springframework.boot.actuate.endpoint.web.annotation.EndpointWebExtension;

/**
 * The HTTP side of {@link CorralEndpoint}'s write operation:
 * {@code POST /actuator/corral/{name}} with a JSON body of {@code minWorkers}, {@code maxWorkers}
 * and/or {@code queueCapacity}. It answers 200 with the pool after the change, 404 when there is
 * no such pool, and 400 with {@code {"error": "..."}} naming the refused value (Boot's error page
 * would drop the message).
 */
@EndpointWebExtension(endpoint = CorralEndpoint.class)
public class CorralWebEndpointExtension {

    private final CorralEndpoint endpoint;

    /** The web extension of {@code endpoint}. */
    public CorralWebEndpointExtension(CorralEndpoint endpoint) {
        this.endpoint = endpoint;
    }

    /** Resizes the pool and/or changes its queue capacity; see {@link CorralEndpoint#update}. */
    @WriteOperation
    public WebEndpointResponse<Object> update(@Selector String name, @Nullable Integer minWorkers,
                                              @Nullable Integer maxWorkers, @Nullable Integer queueCapacity) {
        try {
            CorralEndpoint.PoolDescriptor pool = endpoint.update(name, minWorkers, maxWorkers, queueCapacity);
            if (pool == null) {
                return new WebEndpointResponse<>(Map.of("error", "no pool named '" + name + "'"),
                        WebEndpointResponse.STATUS_NOT_FOUND);
            }
            return new WebEndpointResponse<>(pool);
        } catch (IllegalArgumentException e) {
            return new WebEndpointResponse<>(Map.of("error", "pool '" + name + "': " + e.getMessage()),
                    WebEndpointResponse.STATUS_BAD_REQUEST);
        }
    }
}

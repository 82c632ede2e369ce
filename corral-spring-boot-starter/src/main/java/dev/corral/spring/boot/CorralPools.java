package dev.corral.spring.boot;

import dev.corral.Pool;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.beans.factory.BeanFactory;

/**
 * The pools this starter created from {@code corral.pools}, by name (the order of the
 * configuration). They are ordinary {@link Pool} beans; this bean only remembers which ones the
 * starter owns, so that it stops them with the application and leaves other Pool beans alone.
 */
public final class CorralPools {

    private final BeanFactory beanFactory;
    private final List<String> names;

    CorralPools(BeanFactory beanFactory, List<String> names) {
        this.beanFactory = beanFactory;
        this.names = List.copyOf(names);
    }

    /** The names of the pools from configuration, in the order they were configured. */
    public List<String> names() {
        return names;
    }

    /** The pools from configuration by name (creating any not yet created). */
    public Map<String, Pool> pools() {
        Map<String, Pool> pools = new LinkedHashMap<>();
        for (String name : names) {
            pools.put(name, beanFactory.getBean(name, Pool.class));
        }
        return pools;
    }
}

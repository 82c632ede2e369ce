package dev.corral.spring.boot;

import java.util.List;

/**
 * Thrown at start-up when {@code corral.*} settings are wrong. The message lists every problem,
 * one a line, each naming its property and the value found, e.g.
 * {@code corral.pools.api.workers must be >= 1, was 0}.
 */
public class CorralConfigurationException extends IllegalStateException {

    private static final long serialVersionUID = 1L;

    private final List<String> problems;

    /** An exception for these problems (at least one). */
    public CorralConfigurationException(List<String> problems) {
        super(String.join(System.lineSeparator(), problems));
        this.problems = List.copyOf(problems);
    }

    /** An exception for one problem, caused by {@code cause}. */
    public CorralConfigurationException(String problem, Throwable cause) {
        super(problem, cause);
        this.problems = List.of(problem);
    }

    /** Every problem found, one per wrong setting. */
    public List<String> problems() {
        return problems;
    }
}

package dev.corral.spring.boot;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Shows wrong {@code corral.*} settings as Boot's "APPLICATION FAILED TO START" report: the
 * problems, one a line, and what to do, instead of a stack trace.
 */
class CorralConfigurationFailureAnalyzer extends AbstractFailureAnalyzer<CorralConfigurationException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, CorralConfigurationException cause) {
        StringBuilder description = new StringBuilder("Corral's configuration is invalid:");
        for (String problem : cause.problems()) {
            description.append(System.lineSeparator()).append("    ").append(problem);
        }
        return new FailureAnalysis(description.toString(),
                "Correct the corral.* properties above (see corral-spring-boot-starter's README for each setting).", cause);
    }
}

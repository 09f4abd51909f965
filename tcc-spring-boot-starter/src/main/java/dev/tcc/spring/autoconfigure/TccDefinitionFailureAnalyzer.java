package dev.tcc.spring.autoconfigure;

import dev.tcc.api.TccDefinitionException;
import dev.tcc.spring.InvalidTccDefinitionException;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Reports a {@link TccDefinitionException} that stopped the application context (annotations that
 * do not pair up, a method that cannot be proxied, an unknown transaction manager) as a
 * description naming the class and the method, and the fix as the "Action". Every problem the
 * starter found is listed, numbered, not only the first.
 */
class TccDefinitionFailureAnalyzer extends AbstractFailureAnalyzer<TccDefinitionException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, TccDefinitionException cause) {
        if (cause instanceof InvalidTccDefinitionException invalid) {
            return new FailureAnalysis("TCC annotations are not valid: " + invalid.problem().strip(), invalid.action(), cause);
        }
        return new FailureAnalysis("TCC definitions are not valid: " + cause.getMessage(),
                "Fix the @Try, @Confirm, @Cancel or @TccTransactional method named above.", cause);
    }
}

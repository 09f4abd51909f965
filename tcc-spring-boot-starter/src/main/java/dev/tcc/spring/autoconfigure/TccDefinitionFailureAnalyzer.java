package dev.tcc.spring.autoconfigure;

import dev.tcc.api.TccDefinitionException;
import dev.tcc.spring.InvalidTccDefinitionException;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Reports a {@link TccDefinitionException} that stopped the application context (annotations that
 * do not pair up, a method that cannot be proxied, an unknown transaction manager) as a
 * description naming the class and the method, and the fix as the "Action".
 */
class TccDefinitionFailureAnalyzer extends AbstractFailureAnalyzer<TccDefinitionException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, TccDefinitionException cause) {
        if (cause instanceof InvalidTccDefinitionException invalid) {
            String message = invalid.getMessage();
            String description = message.substring(0, message.length() - invalid.action().length()).strip();
            return new FailureAnalysis("TCC annotations are not valid: " + description, invalid.action(), cause);
        }
        return new FailureAnalysis("TCC definitions are not valid: " + cause.getMessage(),
                "Fix the @Try, @Confirm, @Cancel or @TccTransactional method named above.", cause);
    }
}

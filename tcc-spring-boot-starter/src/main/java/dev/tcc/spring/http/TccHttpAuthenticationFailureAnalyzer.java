package dev.tcc.spring.http;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** Reports a {@link TccHttpAuthenticationException}: what the endpoints would accept, and the three ways out. */
class TccHttpAuthenticationFailureAnalyzer extends AbstractFailureAnalyzer<TccHttpAuthenticationException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, TccHttpAuthenticationException cause) {
        return new FailureAnalysis(cause.getMessage(), cause.action(), cause);
    }
}

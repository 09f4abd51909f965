package dev.tcc.runtime.http;

import dev.tcc.runtime.model.TccSettings;
import dev.tcc.spi.CoordinatorUnreachableException;
import dev.tcc.spi.Decision;
import dev.tcc.spi.DecisionSource;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;

/**
 * A remote coordinator's decision questions behind the same resilience4j retry and circuit breaker settings as
 * phase two ({@code tcc.retry.*}, {@code tcc.circuit-breaker.*}), one circuit per coordinator URL. Only an
 * unreachable coordinator counts against the circuit, and an open circuit reports the coordinator unreachable:
 * that is what it learnt, so hold expiry's clock towards expiring alone keeps running. Any other failure (the
 * coordinator answered with an error) is retried and then reported as it is, so the hold waits for the next pass.
 */
public final class GuardedDecisionSource implements DecisionSource {

    private final DecisionSource remote;
    private final String url;
    private final CircuitBreaker circuit;
    private final Retry retry;

    public GuardedDecisionSource(DecisionSource remote, String url, TccSettings settings) {
        this.remote = remote;
        this.url = url;
        this.circuit = CircuitBreaker.of("coordinator " + url, CircuitBreakerConfig.custom()
                .failureRateThreshold(settings.circuitBreaker().failureRateThreshold())
                .minimumNumberOfCalls(settings.circuitBreaker().minimumCalls())
                .slidingWindowSize(settings.circuitBreaker().slidingWindowSize())
                .waitDurationInOpenState(settings.circuitBreaker().openDuration())
                .recordExceptions(CoordinatorUnreachableException.class)
                .build());
        this.retry = Retry.of("coordinator " + url, RetryConfig.custom()
                .maxAttempts(settings.retry().maxAttempts())
                .intervalFunction(IntervalFunction.ofExponentialBackoff(settings.retry().initialInterval(),
                        settings.retry().multiplier(), settings.retry().maxInterval()))
                // an unreachable coordinator is the hold expiry's to count; retrying it only delays the pass
                .ignoreExceptions(CoordinatorUnreachableException.class, CallNotPermittedException.class)
                .build());
    }

    @Override
    public Decision read(String xid) throws Exception {
        return remote.read(xid);
    }

    @Override
    public Decision decideCancelUnlessConfirmed(String xid, int branchId) throws Exception {
        try {
            return retry.executeCallable(() -> circuit.executeCallable(() -> remote.decideCancelUnlessConfirmed(xid, branchId)));
        } catch (CallNotPermittedException open) {
            throw new CoordinatorUnreachableException("The coordinator at " + url + " was unreachable on the last calls;"
                    + " its circuit is open", open);
        }
    }

    /** The circuit breaker of this coordinator, for tests and metrics. */
    public CircuitBreaker circuitBreaker() {
        return circuit;
    }
}

package dev.tcc.runtime.coordinator;

import dev.tcc.api.ConfirmRefusedException;
import dev.tcc.runtime.model.CircuitBreakerStates;
import dev.tcc.runtime.model.TccSettings;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.core.functions.CheckedRunnable;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import io.github.resilience4j.retry.RetryRegistry;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.random.RandomGenerator;

/**
 * Phase-two calls to participants through resilience4j: a {@link Retry} with exponential
 * backoff and jitter (drawn from the injected random source) inside a {@link CircuitBreaker}
 * per participant, so a dead participant is skipped until it recovers. A refused confirm is an
 * answer, not a failure: it is neither retried nor counted against the circuit.
 */
public final class PhaseTwoCalls implements CircuitBreakerStates {

    private final RetryRegistry retries;
    private final CircuitBreakerRegistry circuitBreakers;

    public PhaseTwoCalls(TccSettings settings, RandomGenerator random) {
        RetryConfig retryConfig = RetryConfig.custom()
                .maxAttempts(settings.retry().maxAttempts())
                .intervalFunction(backoff(settings, random))
                .ignoreExceptions(ConfirmRefusedException.class, CallNotPermittedException.class)
                .build();
        this.retries = RetryRegistry.of(retryConfig);
        CircuitBreakerConfig circuitConfig = CircuitBreakerConfig.custom()
                .failureRateThreshold(settings.circuitBreaker().failureRateThreshold())
                .minimumNumberOfCalls(settings.circuitBreaker().minimumCalls())
                .slidingWindowSize(settings.circuitBreaker().slidingWindowSize())
                .waitDurationInOpenState(settings.circuitBreaker().openDuration())
                .ignoreExceptions(ConfirmRefusedException.class)
                .build();
        this.circuitBreakers = CircuitBreakerRegistry.of(circuitConfig);
    }

    private static IntervalFunction backoff(TccSettings settings, RandomGenerator random) {
        long initial = settings.retry().initialInterval().toMillis();
        long max = settings.retry().maxInterval().toMillis();
        double multiplier = settings.retry().multiplier();
        return attempt -> {
            double exponential = initial * Math.pow(multiplier, Math.max(0, attempt - 1));
            double jittered = exponential * (0.5 + random.nextDouble()); // +-50 %
            return Math.max(1L, Math.min(max, (long) jittered));
        };
    }

    /** A delivery to one participant; {@code attempt} counts from 1 within this call. */
    @FunctionalInterface
    public interface Delivery {
        void deliver(int attempt) throws Exception;
    }

    /**
     * Delivers with retries; returns the number of attempts it took. Throws the last failure
     * when every attempt failed, or {@link CallNotPermittedException} when the circuit is open.
     */
    public int call(String participant, Delivery delivery, AtomicInteger attempts) throws Exception {
        CircuitBreaker circuit = circuitBreakers.circuitBreaker(participant);
        Retry retry = retries.retry(participant);
        CheckedRunnable guarded = CircuitBreaker.decorateCheckedRunnable(circuit,
                () -> delivery.deliver(attempts.incrementAndGet()));
        try {
            Retry.decorateCheckedRunnable(retry, guarded).run();
        } catch (Exception | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
        return attempts.get();
    }

    /** The circuit breakers, one per participant, for phase two. */
    public CircuitBreakerRegistry circuitBreakers() {
        return circuitBreakers;
    }

    @Override
    public State state(String participant) {
        return switch (circuitBreakers.circuitBreaker(participant).getState()) {
            case CLOSED -> State.CLOSED;
            case OPEN -> State.OPEN;
            case HALF_OPEN -> State.HALF_OPEN;
            default -> State.OTHER;
        };
    }

    @Override
    public void forEachParticipant(Consumer<String> listener) {
        circuitBreakers.getAllCircuitBreakers().forEach(breaker -> listener.accept(breaker.getName()));
        circuitBreakers.getEventPublisher().onEntryAdded(event -> listener.accept(event.getAddedEntry().getName()));
    }

    /** The retries, one per participant, for metrics. */
    public RetryRegistry retries() {
        return retries;
    }
}

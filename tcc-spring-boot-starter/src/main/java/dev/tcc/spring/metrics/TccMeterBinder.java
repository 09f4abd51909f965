package dev.tcc.spring.metrics;

import dev.tcc.runtime.TccRuntime;
import dev.tcc.runtime.TransactionState;
import dev.tcc.runtime.recovery.RecoveryPass;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.Map;

/**
 * Gauges read from the runtime when scraped: {@code tcc.transactions.in.doubt} (decided, still in
 * phase two: CONFIRMING plus CANCELLING; one query of the transaction log per read),
 * {@code tcc.circuit.breaker.state} per participant (0 closed, 1 open, 2 half-open, 3 other),
 * {@code tcc.recovery.failures} per {@code pass} (a counter of recovery passes that failed), and the
 * counter {@code tcc.phase.two.left.to.recovery} (decided transactions whose phase two this instance
 * left to recovery, at shutdown or when it could not be scheduled).
 */
public class TccMeterBinder implements MeterBinder {

    private final TccRuntime runtime;

    public TccMeterBinder(TccRuntime runtime) {
        this.runtime = runtime;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        Gauge.builder("tcc.transactions.in.doubt", runtime, TccMeterBinder::inDoubt)
                .description("Transactions decided but still in phase two").register(registry);
        for (RecoveryPass pass : RecoveryPass.values()) {
            FunctionCounter.builder("tcc.recovery.failures", runtime, r -> r.recoveryFailures(pass))
                    .description("Recovery passes that failed (the other passes of the run still ran)")
                    .tag("pass", pass.code()).register(registry);
        }
        FunctionCounter.builder("tcc.phase.two.left.to.recovery", runtime, TccRuntime::phaseTwoLeftToRecovery)
                .description("Decided transactions whose phase two this instance left to recovery").register(registry);
        var circuitBreakers = runtime.phaseTwoCalls().circuitBreakers();
        circuitBreakers.getAllCircuitBreakers().forEach(breaker -> bind(registry, breaker));
        circuitBreakers.getEventPublisher().onEntryAdded(event -> bind(registry, event.getAddedEntry()));
    }

    private static double inDoubt(TccRuntime runtime) {
        Map<TransactionState, Long> counts = runtime.countByState();
        return counts.getOrDefault(TransactionState.CONFIRMING, 0L) + counts.getOrDefault(TransactionState.CANCELLING, 0L);
    }

    private static void bind(MeterRegistry registry, CircuitBreaker breaker) {
        Gauge.builder("tcc.circuit.breaker.state", breaker, b -> switch (b.getState()) {
                    case CLOSED -> 0;
                    case OPEN -> 1;
                    case HALF_OPEN -> 2;
                    default -> 3;
                }).description("State of a participant's circuit breaker: 0 closed, 1 open, 2 half-open, 3 other")
                .tag("participant", breaker.getName()).register(registry);
    }
}

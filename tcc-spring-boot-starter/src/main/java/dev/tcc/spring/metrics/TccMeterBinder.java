package dev.tcc.spring.metrics;

import dev.tcc.api.operations.TccOperations;
import dev.tcc.api.operations.TransactionState;
import dev.tcc.runtime.TccRuntime;
import dev.tcc.runtime.model.CircuitBreakerStates;
import dev.tcc.runtime.recovery.RecoveryPass;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * Gauges read from the runtime when scraped: {@code tcc.transactions.in.doubt} (decided, still in
 * phase two: CONFIRMING plus CANCELLING),
 * {@code tcc.transactions.dead.letters} (tag {@code state}: FAILED or HEURISTIC, waiting for an operator),
 * {@code tcc.circuit.breaker.state} per participant (0 closed, 1 open, 2 half-open, 3 other),
 * {@code tcc.recovery.failures} per {@code pass} (a counter of recovery passes that failed), and the
 * counter {@code tcc.phase.two.left.to.recovery} (decided transactions whose phase two this instance
 * left to recovery, at shutdown or when it could not be scheduled). The state gauges of one scrape
 * share one query of the transaction log (counts at most one second old).
 */
public class TccMeterBinder implements MeterBinder {

    private static final Duration STATE_COUNTS_MAX_AGE = Duration.ofSeconds(1);

    private final StateCounts counts;
    private final TccRuntime runtime;

    public TccMeterBinder(TccOperations operations, TccRuntime runtime) {
        this(operations, runtime, System::nanoTime);
    }

    TccMeterBinder(TccOperations operations, TccRuntime runtime, LongSupplier nanoTime) {
        this.counts = new StateCounts(operations, STATE_COUNTS_MAX_AGE, nanoTime);
        this.runtime = runtime;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        Gauge.builder("tcc.transactions.in.doubt", counts,
                        c -> c.count(TransactionState.CONFIRMING) + c.count(TransactionState.CANCELLING))
                .description("Transactions decided but still in phase two").register(registry);
        for (RecoveryPass pass : RecoveryPass.values()) {
            FunctionCounter.builder("tcc.recovery.failures", runtime, r -> r.recoveryFailures(pass))
                    .description("Recovery passes that failed (the other passes of the run still ran)")
                    .tag("pass", pass.code()).register(registry);
        }
        for (TransactionState state : new TransactionState[] {TransactionState.FAILED, TransactionState.HEURISTIC}) {
            Gauge.builder("tcc.transactions.dead.letters", counts, c -> c.count(state))
                    .description("Transactions waiting for an operator (FAILED, HEURISTIC)").tag("state", state.name())
                    .register(registry);
        }
        FunctionCounter.builder("tcc.phase.two.left.to.recovery", runtime, TccRuntime::phaseTwoLeftToRecovery)
                .description("Decided transactions whose phase two this instance left to recovery").register(registry);
        CircuitBreakerStates circuitBreakers = runtime.circuitBreakers();
        circuitBreakers.forEachParticipant(participant -> Gauge.builder("tcc.circuit.breaker.state", circuitBreakers,
                        states -> states.state(participant).gaugeValue())
                .description("State of a participant's circuit breaker: 0 closed, 1 open, 2 half-open, 3 other")
                .tag("participant", participant).register(registry));
    }
}

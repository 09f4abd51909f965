package dev.tcc.spring.metrics;

import dev.tcc.spi.TccEvent;
import dev.tcc.spi.TccEventListener;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.Locale;

/**
 * Records the runtime's events as Micrometer meters: {@code tcc.transactions} (counter, tags
 * {@code name}, {@code outcome}), {@code tcc.decision} (timer from begin to the durable decision,
 * tags {@code name}, {@code decision}), {@code tcc.phase.two} (timer from the decision to the final
 * write, tags {@code name}, {@code phase}), {@code tcc.branches} (counter of tries, tag {@code action}) and
 * {@code tcc.branch.retries} (counter of failed phase-two delivery attempts, tags {@code action}, {@code phase}).
 */
public class TccMetricsListener implements TccEventListener {

    private final MeterRegistry registry;

    public TccMetricsListener(MeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public void onEvent(TccEvent event) {
        switch (event.type()) {
            case TRANSACTION_FINISHED -> Counter.builder("tcc.transactions").description("Transactions that reached a final state")
                    .tag("name", tag(event.name())).tag("outcome", tag(event.outcome())).register(registry).increment();
            case DECIDED -> Timer.builder("tcc.decision").description("Time from begin to the durable decision")
                    .tag("name", tag(event.name())).tag("decision", tag(event.outcome())).register(registry).record(event.duration());
            case PHASE_TWO_COMPLETED -> Timer.builder("tcc.phase.two").description("Duration of phase two of one transaction")
                    .tag("name", tag(event.name())).tag("phase", phase(event.outcome())).register(registry).record(event.duration());
            case BRANCH_RETRY -> Counter.builder("tcc.branch.retries")
                    .description("Phase-two delivery attempts that failed (each is retried: in the round, a later round or by an operator)")
                    .tag("action", tag(event.name())).tag("phase", phase(event.outcome())).register(registry).increment();
            case BRANCH_TRIED -> Counter.builder("tcc.branches").description("Branches tried")
                    .tag("action", tag(event.name())).register(registry).increment();
        }
    }

    private static String tag(String value) {
        return value == null ? "unknown" : value;
    }

    private static String phase(String state) {
        if ("CONFIRMING".equals(state)) {
            return "confirm";
        }
        if ("CANCELLING".equals(state)) {
            return "cancel";
        }
        return state == null ? "unknown" : state.toLowerCase(Locale.ROOT);
    }
}

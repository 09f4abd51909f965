package dev.tcc.runtime.model;

import java.util.function.Consumer;

/**
 * Read-only view of phase two's circuit breakers, one per participant, for metrics: no
 * resilience4j type crosses it.
 */
public interface CircuitBreakerStates {

    /** A circuit breaker's state, with the number a gauge reports. */
    enum State {
        CLOSED(0), OPEN(1), HALF_OPEN(2), OTHER(3);

        private final int gaugeValue;

        State(int gaugeValue) {
            this.gaugeValue = gaugeValue;
        }

        /** 0 closed, 1 open, 2 half-open, 3 any other (disabled, forced open, metrics only). */
        public int gaugeValue() {
            return gaugeValue;
        }
    }

    /** The current state of {@code participant}'s circuit breaker. */
    State state(String participant);

    /** Calls {@code listener} with every participant that has a circuit breaker now, and later with each new one. */
    void forEachParticipant(Consumer<String> listener);
}

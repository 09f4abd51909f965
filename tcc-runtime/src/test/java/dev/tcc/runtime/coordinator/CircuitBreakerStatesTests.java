package dev.tcc.runtime.coordinator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tcc.runtime.model.TccSettings;
import dev.tcc.runtime.model.CircuitBreakerStates;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class CircuitBreakerStatesTests {

    private final PhaseTwoCalls calls = new PhaseTwoCalls(TccSettings.builder().retryMaxAttempts(1)
            .circuitBreakerMinimumCalls(2).circuitBreakerSlidingWindowSize(2).build(), new Random(7));

    @Test
    void aParticipantsCircuitIsReportedWhenItAppearsAndOpensAfterItsFailures() throws Exception {
        CircuitBreakerStates states = calls;
        List<String> seen = new ArrayList<>();
        states.forEachParticipant(seen::add);

        calls.call("payments", attempt -> { }, new AtomicInteger());
        assertThat(seen).containsExactly("payments");
        assertThat(states.state("payments")).isEqualTo(CircuitBreakerStates.State.CLOSED);

        // window of two calls, one of them failed: 50 %, the default threshold
        assertThatThrownBy(() -> calls.call("payments", attempt -> {
            throw new IllegalStateException("payments unavailable");
        }, new AtomicInteger())).hasMessage("payments unavailable");
        assertThat(states.state("payments")).isEqualTo(CircuitBreakerStates.State.OPEN);
        assertThat(states.state("payments").gaugeValue()).isEqualTo(1);
    }
}

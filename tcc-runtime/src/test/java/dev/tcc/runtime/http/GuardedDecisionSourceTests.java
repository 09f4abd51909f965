package dev.tcc.runtime.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tcc.runtime.model.TccSettings;
import dev.tcc.spi.CoordinatorUnreachableException;
import dev.tcc.spi.Decision;
import dev.tcc.spi.DecisionSource;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Decision questions to a remote coordinator behind the retry and the circuit breaker. */
class GuardedDecisionSourceTests {

    private final TccSettings settings = TccSettings.builder().retryMaxAttempts(3).retryInitialInterval(Duration.ofMillis(1))
            .retryMaxInterval(Duration.ofMillis(2)).circuitBreakerMinimumCalls(2).circuitBreakerSlidingWindowSize(2)
            .circuitBreakerOpenDuration(Duration.ofMinutes(1)).build();
    private final AtomicInteger asked = new AtomicInteger();

    private GuardedDecisionSource guarded(Failing failing) {
        return new GuardedDecisionSource(new DecisionSource() {
            @Override
            public Decision read(String xid) {
                return Decision.UNDECIDED;
            }

            @Override
            public Decision decideCancelUnlessConfirmed(String xid, int branchId) throws Exception {
                failing.maybeThrow(asked.incrementAndGet());
                return Decision.CONFIRM;
            }
        }, "http://a.test/tcc/coordinator", settings);
    }

    @FunctionalInterface
    private interface Failing {
        void maybeThrow(int call) throws Exception;
    }

    @Test
    void aCoordinatorThatAnsweredWithAnErrorIsAskedAgainWithinTheRetry() throws Exception {
        GuardedDecisionSource source = guarded(call -> {
            if (call < 3) {
                throw new IllegalStateException("503 from the coordinator");
            }
        });
        assertThat(source.decideCancelUnlessConfirmed("x", 1)).isEqualTo(Decision.CONFIRM);
        assertThat(asked).hasValue(3);
    }

    @Test
    void anUnreachableCoordinatorIsNotRetriedAndOpensItsCircuitWhichStillReportsItUnreachable() {
        GuardedDecisionSource source = guarded(call -> {
            throw new CoordinatorUnreachableException("connection refused", null);
        });
        assertThatThrownBy(() -> source.decideCancelUnlessConfirmed("x", 1)).isInstanceOf(CoordinatorUnreachableException.class);
        assertThatThrownBy(() -> source.decideCancelUnlessConfirmed("x", 1)).isInstanceOf(CoordinatorUnreachableException.class);
        assertThat(asked).hasValue(2);

        assertThatThrownBy(() -> source.decideCancelUnlessConfirmed("x", 1))
                .isInstanceOf(CoordinatorUnreachableException.class).hasMessageContaining("circuit is open");
        assertThat(asked).hasValue(2); // not called while open
    }

    @Test
    void errorAnswersDoNotOpenTheCircuit() {
        GuardedDecisionSource source = guarded(call -> {
            throw new IllegalStateException("503 from the coordinator");
        });
        for (int i = 0; i < 3; i++) {
            assertThatThrownBy(() -> source.decideCancelUnlessConfirmed("x", 1)).isInstanceOf(IllegalStateException.class);
        }
        assertThat(source.circuitBreaker().getState().name()).isEqualTo("CLOSED");
    }
}

package dev.tcc.spring.actuate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import dev.tcc.api.operations.TccOperations;
import dev.tcc.api.operations.TransactionState;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;

/**
 * A transaction stuck in phase two is the same on every instance sharing the log: it calls for an
 * operator, not for every instance to leave the load balancer.
 */
class TransactionsStuckInPhaseTwoKeepTheInstanceUpTests {

    private final TccOperations operations = mock(TccOperations.class);

    TransactionsStuckInPhaseTwoKeepTheInstanceUpTests() {
        when(operations.countByState()).thenReturn(Map.of(TransactionState.CONFIRMING, 1L));
        when(operations.countStuck(Duration.ofMinutes(5))).thenReturn(1L);
    }

    @Test
    void aStuckTransactionIsReportedAndTheInstanceStaysUp() {
        Health health = new TccHealthIndicator(operations, Duration.ofMinutes(5), false).health(true);

        assertThat(health.getStatus()).isEqualTo(Status.UP);
        assertThat(health.getDetails()).containsEntry("stuck", 1L).containsEntry("failOnStuck", false);
    }

    @Test
    void withFailOnStuckAStuckTransactionTakesTheInstanceOutOfService() {
        Health health = new TccHealthIndicator(operations, Duration.ofMinutes(5), false, true).health(true);

        assertThat(health.getStatus()).isEqualTo(Status.OUT_OF_SERVICE);
        assertThat(health.getDetails()).containsEntry("stuck", 1L);
    }
}

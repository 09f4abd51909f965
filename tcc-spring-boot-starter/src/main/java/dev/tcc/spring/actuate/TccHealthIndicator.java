package dev.tcc.spring.actuate;

import dev.tcc.api.operations.TccOperations;
import dev.tcc.api.operations.TransactionState;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;

/**
 * Health of the TCC transaction log: {@code DOWN} when the log cannot be read, else {@code UP}. Transactions stuck in
 * phase two longer than {@code tcc.health.stuck-after} ({@code stuck}) and FAILED and HEURISTIC transactions (dead
 * letters, waiting for an operator) are reported in the details (dead letters also logged when their number grows):
 * the log is shared, so they would fail every instance at once, and they call for an operator, not for a load
 * balancer to drop working instances. {@code tcc.health.fail-on-stuck=true} and
 * {@code tcc.health.fail-on-dead-letters=true} make them {@code OUT_OF_SERVICE} (not DOWN: the instance itself works).
 */
public class TccHealthIndicator extends AbstractHealthIndicator {

    private static final Logger log = LoggerFactory.getLogger(TccHealthIndicator.class);

    private final TccOperations operations;
    private final Duration stuckAfter;
    private final boolean failOnDeadLetters;
    private final boolean failOnStuck;
    private final AtomicLong lastDeadLetters = new AtomicLong();

    public TccHealthIndicator(TccOperations operations, Duration stuckAfter) {
        this(operations, stuckAfter, false);
    }

    public TccHealthIndicator(TccOperations operations, Duration stuckAfter, boolean failOnDeadLetters) {
        this(operations, stuckAfter, failOnDeadLetters, false);
    }

    public TccHealthIndicator(TccOperations operations, Duration stuckAfter, boolean failOnDeadLetters, boolean failOnStuck) {
        super("TCC health check failed");
        this.operations = operations;
        this.stuckAfter = stuckAfter;
        this.failOnDeadLetters = failOnDeadLetters;
        this.failOnStuck = failOnStuck;
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) {
        Map<TransactionState, Long> counts = operations.countByState();
        long failed = counts.getOrDefault(TransactionState.FAILED, 0L);
        long heuristic = counts.getOrDefault(TransactionState.HEURISTIC, 0L);
        long deadLetters = failed + heuristic;
        long stuck = operations.countStuck(stuckAfter);
        long inDoubt = counts.getOrDefault(TransactionState.CONFIRMING, 0L) + counts.getOrDefault(TransactionState.CANCELLING, 0L);
        reportChange(deadLetters, failed, heuristic);
        builder.status((failOnStuck && stuck > 0) || (failOnDeadLetters && deadLetters > 0) ? Status.OUT_OF_SERVICE : Status.UP)
                .withDetail("failed", failed)
                .withDetail("heuristic", heuristic)
                .withDetail("deadLetters", deadLetters)
                .withDetail("failOnDeadLetters", failOnDeadLetters)
                .withDetail("stuck", stuck)
                .withDetail("stuckAfter", stuckAfter.toString())
                .withDetail("failOnStuck", failOnStuck)
                .withDetail("inDoubt", inDoubt);
    }

    private void reportChange(long deadLetters, long failed, long heuristic) {
        long before = lastDeadLetters.getAndSet(deadLetters);
        if (deadLetters > before) {
            log.warn("TCC: {} transaction(s) wait for an operator (FAILED [{}], HEURISTIC [{}]): list them with"
                    + " GET /actuator/tcc?state=FAILED, retry a FAILED one with POST /actuator/tcc/{xid}", deadLetters, failed, heuristic);
        }
    }
}

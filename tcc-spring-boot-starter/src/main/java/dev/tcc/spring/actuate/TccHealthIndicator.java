package dev.tcc.spring.actuate;

import dev.tcc.runtime.TccRuntime;
import dev.tcc.runtime.TransactionState;
import java.time.Duration;
import java.util.Map;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;

/**
 * Health of the TCC transaction log: {@code OUT_OF_SERVICE} while FAILED or HEURISTIC
 * transactions wait for an operator, or transactions are stuck in phase two longer than
 * {@code tcc.health.stuck-after}; {@code DOWN} when the log cannot be read; else {@code UP}.
 * OUT_OF_SERVICE rather than DOWN because the instance itself still works; map the status with
 * {@code management.endpoint.health.status.http-mapping} if a load balancer should not react.
 */
public class TccHealthIndicator extends AbstractHealthIndicator {

    private final TccRuntime runtime;
    private final Duration stuckAfter;

    public TccHealthIndicator(TccRuntime runtime, Duration stuckAfter) {
        super("TCC health check failed");
        this.runtime = runtime;
        this.stuckAfter = stuckAfter;
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) {
        Map<TransactionState, Long> counts = runtime.countByState();
        long failed = counts.getOrDefault(TransactionState.FAILED, 0L);
        long heuristic = counts.getOrDefault(TransactionState.HEURISTIC, 0L);
        long stuck = runtime.countStuck(runtime.clock().instant().minus(stuckAfter));
        long inDoubt = counts.getOrDefault(TransactionState.CONFIRMING, 0L) + counts.getOrDefault(TransactionState.CANCELLING, 0L);
        builder.status(failed + heuristic + stuck > 0 ? Status.OUT_OF_SERVICE : Status.UP)
                .withDetail("failed", failed)
                .withDetail("heuristic", heuristic)
                .withDetail("stuck", stuck)
                .withDetail("stuckAfter", stuckAfter.toString())
                .withDetail("inDoubt", inDoubt);
    }
}

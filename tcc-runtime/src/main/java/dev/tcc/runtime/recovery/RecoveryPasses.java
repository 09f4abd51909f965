package dev.tcc.runtime.recovery;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the recovery passes one after the other, each on its own: a pass that throws (the
 * transaction log's database is down, a purge fails) is logged and counted, and the next pass
 * still runs. Hold expiry in particular must run when the log cannot be reached: that is the case
 * it exists for.
 */
public final class RecoveryPasses {

    private static final Logger log = LoggerFactory.getLogger(RecoveryPasses.class);

    private final Map<RecoveryPass, IntSupplier> passes = new EnumMap<>(RecoveryPass.class);
    private final Map<RecoveryPass, AtomicLong> failures = new EnumMap<>(RecoveryPass.class);

    public RecoveryPasses(CoordinatorRecovery coordinatorRecovery, HoldExpiry holdExpiry, Retention retention) {
        passes.put(RecoveryPass.COORDINATOR_RECOVERY, coordinatorRecovery::runOnce);
        passes.put(RecoveryPass.HOLD_EXPIRY, holdExpiry::runOnce);
        passes.put(RecoveryPass.RETENTION, retention::runOnce);
        for (RecoveryPass pass : RecoveryPass.values()) {
            failures.put(pass, new AtomicLong());
        }
    }

    /**
     * Runs every pass every {@code interval} on {@code scheduler}, the first time after one interval;
     * cancel the returned task to stop.
     */
    public ScheduledFuture<?> schedule(ScheduledExecutorService scheduler, Duration interval) {
        long millis = interval.toMillis();
        return scheduler.scheduleWithFixedDelay(this::runQuietly, millis, millis, TimeUnit.MILLISECONDS);
    }

    private void runQuietly() {
        try {
            runOnce();
        } catch (RuntimeException e) {
            log.warn("TCC recovery pass failed; the next pass retries: {}", e.toString());
        }
    }

    /** Every pass once, in {@link RecoveryPass} order; returns the rows they touched together. */
    public int runOnce() {
        int touched = 0;
        for (RecoveryPass pass : RecoveryPass.values()) {
            touched += run(pass);
        }
        return touched;
    }

    private int run(RecoveryPass pass) {
        try {
            return passes.get(pass).getAsInt();
        } catch (RuntimeException e) {
            long count = failures.get(pass).incrementAndGet();
            log.warn("TCC recovery pass '{}' failed ({} failures so far); the other passes go on and the next run retries: {}",
                    pass.code(), count, e.toString());
            return 0;
        }
    }

    /** How many times {@code pass} has failed since start (for metrics and health). */
    public long failures(RecoveryPass pass) {
        return failures.get(Objects.requireNonNull(pass, "pass")).get();
    }
}

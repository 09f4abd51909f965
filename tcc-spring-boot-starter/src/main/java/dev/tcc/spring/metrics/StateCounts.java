package dev.tcc.spring.metrics;

import dev.tcc.api.operations.TccOperations;
import dev.tcc.api.operations.TransactionState;
import java.time.Duration;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * The transactions per state, read from the log at most once per {@code maxAge}: the gauges of one
 * scrape, read one after another, share one query.
 */
final class StateCounts {

    private final TccOperations operations;
    private final LongSupplier nanoTime;
    private final long maxAgeNanos;
    private Map<TransactionState, Long> counts;
    private long readAt;

    StateCounts(TccOperations operations, Duration maxAge, LongSupplier nanoTime) {
        this.operations = operations;
        this.maxAgeNanos = maxAge.toNanos();
        this.nanoTime = nanoTime;
    }

    /** How many transactions are in {@code state}, as of the last read not older than {@code maxAge}. */
    synchronized long count(TransactionState state) {
        long now = nanoTime.getAsLong();
        if (counts == null || now - readAt >= maxAgeNanos) {
            counts = operations.countByState();
            readAt = now;
        }
        return counts.getOrDefault(state, 0L);
    }
}

package dev.tcc.runtime.coordinator;

import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decided transactions whose phase two this instance gave up without running it (at shutdown, or
 * when it could not be scheduled): logged with the count, and counted. Nothing is lost: each is in
 * the log with its decision and its lease, and recovery drives it once the lease ends.
 */
public final class LeftToRecovery {

    private static final Logger log = LoggerFactory.getLogger(LeftToRecovery.class);

    private final AtomicLong count = new AtomicLong();

    /** Records {@code transactions} handed over, and logs why. */
    public void add(int transactions, String why) {
        if (transactions <= 0) {
            return;
        }
        count.addAndGet(transactions);
        log.warn("TCC left {} decided transaction(s) to recovery: {}. Each is in the log with its decision; recovery"
                + " drives it once its lease ends", transactions, why);
    }

    /** Transactions handed over since this runtime started. */
    public long count() {
        return count.get();
    }
}

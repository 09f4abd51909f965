package dev.tcc.runtime.recovery;

import dev.tcc.runtime.TccSettings;
import dev.tcc.runtime.action.ParticipantDatabase;
import dev.tcc.runtime.log.TransactionLog;
import java.time.Clock;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Purges finished work in bounded batches so the tables stay small under constant load:
 * CONFIRMED and CANCELLED transactions (with their branches) once they finished longer ago than
 * the retention, and CONFIRMED or CANCELLED barrier rows once their hold deadline is older than
 * the barrier retention. A barrier row must outlive any late delivery of its branch; a late try
 * is only possible before its hold deadline and a late confirm or cancel only while its
 * transaction is not finished, so a retention past the hold deadline is safe. FAILED and
 * HEURISTIC transactions are never purged: they wait for an operator.
 */
public final class Retention {

    private static final Logger log = LoggerFactory.getLogger(Retention.class);

    private final TransactionLog transactionLog;
    private final Collection<ParticipantDatabase> databases;
    private final TccSettings settings;
    private final Clock clock;
    private final AtomicBoolean running = new AtomicBoolean();

    public Retention(TransactionLog transactionLog, Collection<ParticipantDatabase> databases, TccSettings settings, Clock clock) {
        this.transactionLog = transactionLog;
        this.databases = databases;
        this.settings = settings;
        this.clock = clock;
    }

    /**
     * Batches one pass deletes per table at most: enough to keep up with thousands of transactions
     * a second at the default interval, few enough that one pass stays short.
     */
    static final int MAX_BATCHES_PER_PASS = 64;

    /**
     * One pass: batches until a table has nothing due (at most {@link #MAX_BATCHES_PER_PASS}); returns
     * the rows deleted. A call while another pass of this instance runs returns 0 at once: two
     * passes would select the same rows and wait for each other's locks.
     */
    public int runOnce() {
        if (!running.compareAndSet(false, true)) {
            return 0;
        }
        try {
            return purgeAll();
        } finally {
            running.set(false);
        }
    }

    private int purgeAll() {
        Instant now = clock.instant();
        int batch = settings.retentionBatchSize();
        int deleted = 0;
        for (int i = 0; i < MAX_BATCHES_PER_PASS; i++) {
            int n = transactionLog.purge(now.minus(settings.retentionFinished()), batch);
            deleted += n;
            if (n < batch) {
                break;
            }
        }
        for (ParticipantDatabase database : List.copyOf(databases)) {
            try {
                for (int i = 0; i < MAX_BATCHES_PER_PASS; i++) {
                    int n = database.runner().inNewTransaction(c ->
                            database.barrier().purge(c, now.minus(settings.retentionBarrier()), batch));
                    deleted += n;
                    if (n < batch) {
                        break;
                    }
                }
            } catch (Exception e) {
                log.warn("TCC could not purge the barrier of '{}': {}", database.runner().name(), e.toString());
            }
        }
        return deleted;
    }
}

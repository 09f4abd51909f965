package dev.tcc.runtime.recovery;

import dev.tcc.runtime.action.LocalParticipant;
import dev.tcc.runtime.action.ParticipantDatabase;
import dev.tcc.runtime.barrier.BarrierPurge;
import dev.tcc.runtime.log.TransactionLog;
import dev.tcc.runtime.model.TccSettings;
import java.time.Clock;
import java.time.Instant;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Purges finished work in bounded batches so the tables stay small under constant load:
 * CONFIRMED and CANCELLED transactions (with their branches) once they finished longer ago than
 * {@code tcc.retention.finished}, and barrier rows by the rule below. FAILED and HEURISTIC
 * transactions are never purged: they wait for an operator.
 *
 * <p><b>The barrier rule.</b> A barrier row is deleted only when all of these hold: it left
 * {@code TRIED}; its hold deadline is older than {@code tcc.retention.barrier}; its action is one
 * of this instance's; and the coordinator's log does not hold its transaction in a state that
 * is not final ({@code TRYING}, {@code CONFIRMING}, {@code CANCELLING}, {@code FAILED}). The
 * check does not rest on any lease, backoff or operator delay: every delivery to a branch comes
 * from a driver of a transaction that the log holds unfinished (the initiator, a recovery round,
 * the batch's one-by-one fallback, an operator's retry of a FAILED one), and a transaction never
 * leaves a final state ({@code CONFIRMED}, {@code CANCELLED}, {@code HEURISTIC}), so once the log
 * holds it final, or no longer holds it (it purges only final ones), no re-drive can reach the
 * row again. A branch whose outcome the log never learned (a batched finish lost in the linger
 * window, a confirm done by hold expiry, a round cut off by a crash) keeps its row for as long as
 * its transaction is unfinished, however long that is. The only decision that can still come for
 * an xid the log does not hold is a late cancel (an empty cancel then, which changes nothing) or a
 * confirm, which the decision write itself refuses once a hold is within its safety margin of its
 * deadline, before any hold of it can be expired. A late try is refused by the coordinator after
 * the timeout, and a try that still arrives carries a hold deadline already past, so hold expiry
 * releases it on its next pass.
 */
public final class Retention implements RunnablePass {

    private static final Logger log = LoggerFactory.getLogger(Retention.class);

    private final TransactionLog transactionLog;
    private final Collection<ParticipantDatabase> databases;
    private final Function<String, Collection<LocalParticipant>> participantsOfDatabase;
    private final TccSettings settings;
    private final Clock clock;
    private final AtomicBoolean running = new AtomicBoolean();
    /** Per participant database: the key after which the next barrier page starts. */
    private final Map<String, BarrierPurge.FinishedRow> cursors = new ConcurrentHashMap<>();

    public Retention(TransactionLog transactionLog, Collection<ParticipantDatabase> databases,
                     Function<String, Collection<LocalParticipant>> participantsOfDatabase, TccSettings settings, Clock clock) {
        this.transactionLog = transactionLog;
        this.databases = databases;
        this.participantsOfDatabase = participantsOfDatabase;
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
    @Override
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
        int batch = settings.retention().batchSize();
        int deleted = 0;
        for (int i = 0; i < MAX_BATCHES_PER_PASS; i++) {
            int n = transactionLog.purge().purge(now.minus(settings.retention().finished()), batch);
            deleted += n;
            if (n < batch) {
                break;
            }
        }
        for (ParticipantDatabase database : List.copyOf(databases)) {
            try {
                deleted += purgeBarrier(database, now.minus(settings.retention().barrier()), batch);
            } catch (Exception e) {
                log.warn("TCC could not purge the barrier of '{}': {}", database.runner().name(), e.toString());
            }
        }
        return deleted;
    }

    /**
     * The barrier rule, page by page in key order, so rows that must stay never hide the ones behind
     * them. The cursor is kept per database across passes, so a pass that ends after
     * {@link #MAX_BATCHES_PER_PASS} full pages (rows that must stay fill them) is continued by the
     * next; it goes back to the start after a short page.
     */
    private int purgeBarrier(ParticipantDatabase database, Instant before, int batch) throws Exception {
        Set<String> actions = new HashSet<>();
        for (LocalParticipant p : participantsOfDatabase.apply(database.runner().name())) {
            actions.add(p.action().name());
        }
        int deleted = 0;
        BarrierPurge.FinishedRow cursor = cursors.getOrDefault(database.runner().name(), BarrierPurge.START);
        try {
            for (int i = 0; i < MAX_BATCHES_PER_PASS; i++) {
                BarrierPurge.FinishedRow after = cursor;
                List<BarrierPurge.FinishedRow> page = database.runner().inNewTransaction(c ->
                        BarrierPurge.finishedAfter(c, before, after, actions, batch));
                cursor = page.size() < batch ? BarrierPurge.START : page.get(page.size() - 1);
                Set<String> unfinished = page.isEmpty() ? Set.of()
                        : transactionLog.queries().unfinishedAmong(page.stream().map(BarrierPurge.FinishedRow::xid).toList());
                List<BarrierPurge.FinishedRow> purgeable = page.stream()
                        .filter(row -> !unfinished.contains(row.xid()))
                        .toList();
                deleted += database.runner().inNewTransaction(c -> BarrierPurge.delete(c, purgeable));
                if (page.size() < batch) {
                    break;
                }
            }
        } finally {
            cursors.put(database.runner().name(), cursor);
        }
        return deleted;
    }
}

package dev.tcc.runtime.action;

import dev.tcc.api.Phase;
import dev.tcc.api.operations.BranchState;
import dev.tcc.runtime.barrier.BarrierMoveLostException;
import dev.tcc.runtime.barrier.BarrierRow;
import dev.tcc.runtime.barrier.BranchBarrier;
import dev.tcc.runtime.jdbc.Jdbc;
import dev.tcc.runtime.jdbc.Statements;
import dev.tcc.spi.BranchReference;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Phase two of many branches on one participant database in ONE local transaction: the barrier
 * rows moved out of {@code TRIED} by one conditional update ({@code ... WHERE state = 'TRIED'})
 * that returns the rows it moved, and the confirm (or cancel) body run for exactly those rows, on
 * the same connection, so the barrier and the business changes commit together: one commit for
 * the whole batch instead of one per branch.
 *
 * <p>Only the plain cases are done here: a row that is {@code TRIED} (moved now) or already in the
 * target state (done before). Everything else (no row, the opposite state, a lost race, another
 * action's row) is reported back so the caller delivers that branch alone, through the one-by-one
 * path with its empty-cancel, refusal and retry handling.
 *
 * <p>A <em>fast pass</em> runs first: the bodies one after the other without savepoints, then ONE
 * check (per chunk of keys, the same statement text for any number) that every row it moved and ran is still in the target
 * state with the {@code updated_at} its move wrote ({@link BranchBarrier#requireAllStillMoved}: a
 * row moved to the target state by another driver after this transaction was rolled back underneath
 * a body does not count), then the commit: no round trip per branch beyond its body. Should anything
 * of it fail (a body throws, the count finds a row rolled back underneath a body that swallowed an
 * error, any other database error), the whole fast pass rolls
 * back and a <em>careful pass</em> does the batch again in a new local transaction: each body behind
 * a savepoint, followed by {@link BranchBarrier#requireStillMoved}. There a body that throws is
 * rolled back to its savepoint and its row returned to {@code TRIED}, so only that item is reported
 * not done (and delivered again alone) while every other body of the batch commits exactly once. A
 * body that swallowed an error which aborted (PostgreSQL) the transaction is undone to its savepoint,
 * and one whose whole transaction was rolled back underneath it (H2 on a deadlock) fails the batch.
 * A body's deadlock or serialization failure is undone to its savepoint where the database allows
 * it (PostgreSQL, see {@link dev.tcc.runtime.jdbc.SqlDialect#savepointSurvivesTransactionRollback()}).
 * When the careful pass itself fails (a barrier statement, the commit, a body's deadlock on H2) its
 * local transaction rolls back and the exception propagates: nothing of the batch happened on this
 * database.
 *
 * <p>So in the rare failing case a body of the rolled-back fast pass runs again in the careful pass
 * (and the failing one possibly a third time, alone). Its first run's writes were rolled back with
 * the fast pass, so each body takes effect exactly once; the price is wasted work in the rare case
 * only. A body with external effects could not be undone that way: such actions are never batched
 * (see {@code BatchedPhaseTwo} and the participant endpoint's batch requests).
 */
public final class LocalBatch {

    private static final Logger log = LoggerFactory.getLogger(LocalBatch.class);

    /** A branch of a local participant. */
    public record Item(LocalParticipant participant, BranchReference branch) {
    }

    private LocalBatch() {
    }

    /**
     * Confirms ({@code confirming}) or cancels every item, in list order, in one local transaction
     * of {@code database}. Returns, per item, whether it is done (moved now or already there);
     * items reported false need the one-by-one path.
     */
    public static boolean[] run(ParticipantDatabase database, List<Item> items, boolean confirming, Clock clock) throws Exception {
        try {
            return database.runner().inNewTransaction(c -> pass(c, database.barrier(), items, confirming, clock, false));
        } catch (Exception fastPassFailure) {
            log.debug("TCC {} batch of {} branches on '{}' rolled back ({}); it runs again with a savepoint per body",
                    confirming ? "confirm" : "cancel", items.size(), database.runner().name(), fastPassFailure.toString());
        }
        return database.runner().inNewTransaction(c -> pass(c, database.barrier(), items, confirming, clock, true));
    }

    /** One pass over the batch in the local transaction of {@code c}: the careful one or the fast one (see the class). */
    private static boolean[] pass(Connection c, BranchBarrier barrier, List<Item> items, boolean confirming, Clock clock,
                                  boolean careful) throws Exception {
        BranchState target = confirming ? BranchState.CONFIRMED : BranchState.CANCELLED;
        Phase phase = confirming ? Phase.CONFIRM : Phase.CANCEL;
        List<String> xids = new ArrayList<>(items.size());
        List<Integer> ids = new ArrayList<>(items.size());
        for (Item item : items) {
            xids.add(item.branch().xid());
            ids.add(item.branch().branchId());
        }
        // what the moves write into updated_at: the checks after the bodies look for it
        Instant movedAt = BranchBarrier.moveStamp(clock);
        Map<String, BarrierRow> moved = barrier.leaveTriedAll(c, xids, ids, target, movedAt);
        boolean[] done = new boolean[items.size()];
        List<String> otherXids = new ArrayList<>();
        List<Integer> otherIds = new ArrayList<>();
        List<String> ranXids = new ArrayList<>();
        List<Integer> ranIds = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            BarrierRow row = moved.get(BranchBarrier.key(xids.get(i), ids.get(i)));
            if (row == null) {
                otherXids.add(xids.get(i));
                otherIds.add(ids.get(i));
                continue;
            }
            LocalParticipant participant = items.get(i).participant();
            if (!row.action().equals(participant.action().name())) {
                // another action's row (a misrouted delivery): never run this body on it; the single path answers
                returnToTried(c, xids.get(i), ids.get(i), target);
                continue;
            }
            PhaseInvoker body = confirming ? participant.action().confirm() : participant.action().cancel();
            if (!careful) {
                // a failure here rolls back the whole fast pass, and the careful pass runs instead
                participant.runPhase(phase, body, row, items.get(i).branch());
                ranXids.add(xids.get(i));
                ranIds.add(ids.get(i));
                done[i] = true;
                continue;
            }
            Savepoint beforeBody = c.setSavepoint();
            try {
                participant.runPhase(phase, body, row, items.get(i).branch());
                // inside the try: on PostgreSQL a swallowed error fails this check (25P02), and only this item is undone
                barrier.requireStillMoved(c, xids.get(i), ids.get(i), target, movedAt, clock.instant());
                done[i] = true;
            } catch (Exception bodyFailure) {
                if (bodyFailure instanceof BarrierMoveLostException
                        || Jdbc.isTransactionRollback(bodyFailure) && !barrier.dialect().savepointSurvivesTransactionRollback()) {
                    throw bodyFailure; // the database rolled back the whole batch: no savepoint to return to
                }
                // only this item is undone; the caller delivers it again alone, with its retries
                c.rollback(beforeBody);
                returnToTried(c, xids.get(i), ids.get(i), target);
                log.debug("TCC [{}] {} body of branch {} failed inside a batch; it goes alone: {}", xids.get(i),
                        phase, ids.get(i), bodyFailure.toString());
            }
        }
        if (!ranXids.isEmpty()) {
            // after every body of the fast pass: none swallowed the rollback (H2) or abort (PostgreSQL) of this transaction;
            // the rows as this pass moved them, not only in the target state, which another driver may have committed
            // since such a rollback
            barrier.requireAllStillMoved(c, ranXids, ranIds, target, movedAt);
        }
        if (!otherXids.isEmpty()) {
            // not TRIED: already in the target state (a duplicate delivery, nothing runs) or for the one-by-one path
            Map<String, BarrierRow> rows = barrier.findAll(c, otherXids, otherIds);
            for (int i = 0; i < items.size(); i++) {
                BarrierRow row = done[i] ? null : rows.get(BranchBarrier.key(xids.get(i), ids.get(i)));
                // another action's row (a misrouted delivery) is the single path's to answer, never done here
                done[i] |= row != null && row.state() == target
                        && row.action().equals(items.get(i).participant().action().name());
            }
        }
        return done;
    }

    /** Undoes this batch's move of one row: its body failed and was rolled back to its savepoint. */
    private static void returnToTried(Connection c, String xid, int branchId, BranchState movedTo) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(Statements.BARRIER_RETURN_TO_TRIED)) {
            ps.setString(1, xid);
            ps.setInt(2, branchId);
            ps.setString(3, movedTo.code());
            ps.executeUpdate();
        }
    }
}

package dev.tcc.runtime.action;

import dev.tcc.api.Phase;
import dev.tcc.runtime.BranchState;
import dev.tcc.runtime.barrier.BarrierRow;
import dev.tcc.runtime.barrier.BranchBarrier;
import dev.tcc.spi.BranchReference;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Phase two of many branches on one participant database in ONE local transaction: the barrier
 * rows read in one query, moved out of {@code TRIED} by one batch of conditional updates
 * ({@code ... WHERE state = 'TRIED'}), and the confirm (or cancel) body run for exactly the rows
 * whose update changed them, on the same connection, so the barrier and the business changes
 * commit together: one commit for the whole batch instead of one per branch.
 *
 * <p>Only the plain cases are done here: a row that is {@code TRIED} (moved now) or already in the
 * target state (done before). Everything else (no row, the opposite state, a lost race) is
 * reported back so the caller delivers that branch alone, through the one-by-one path with its
 * empty-cancel, refusal and retry handling. When anything fails the whole local transaction rolls
 * back and the exception propagates: nothing of the batch happened on this database.
 */
public final class LocalBatch {

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
        BranchState target = confirming ? BranchState.CONFIRMED : BranchState.CANCELLED;
        Phase phase = confirming ? Phase.CONFIRM : Phase.CANCEL;
        return database.runner().inNewTransaction(c -> {
            BranchBarrier barrier = database.barrier();
            List<String> xids = new ArrayList<>(items.size());
            List<Integer> ids = new ArrayList<>(items.size());
            for (Item item : items) {
                xids.add(item.branch().xid());
                ids.add(item.branch().branchId());
            }
            Map<String, BarrierRow> rows = barrier.findAll(c, xids, ids);
            boolean[] done = new boolean[items.size()];
            List<Integer> toMove = new ArrayList<>();
            for (int i = 0; i < items.size(); i++) {
                BarrierRow row = rows.get(BranchBarrier.key(xids.get(i), ids.get(i)));
                if (row == null) {
                    continue; // confirm: refused; cancel: an empty cancel - both one by one
                }
                if (row.state() == target) {
                    done[i] = true; // a duplicate delivery: nothing runs
                } else if (row.state() == BranchState.TRIED) {
                    toMove.add(i);
                }
            }
            List<String> moveXids = new ArrayList<>(toMove.size());
            List<Integer> moveIds = new ArrayList<>(toMove.size());
            for (int i : toMove) {
                moveXids.add(xids.get(i));
                moveIds.add(ids.get(i));
            }
            boolean[] moved = barrier.leaveTriedAll(c, moveXids, moveIds, target, clock.instant());
            for (int k = 0; k < toMove.size(); k++) {
                if (!moved[k]) {
                    continue; // another delivery changed the row since it was read: one by one
                }
                int i = toMove.get(k);
                Item item = items.get(i);
                LocalParticipant participant = item.participant();
                participant.runPhase(phase, confirming ? participant.action().confirm() : participant.action().cancel(),
                        rows.get(BranchBarrier.key(xids.get(i), ids.get(i))), item.branch());
                done[i] = true;
            }
            return done;
        });
    }
}

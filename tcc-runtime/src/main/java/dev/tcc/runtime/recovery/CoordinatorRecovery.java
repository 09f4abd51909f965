package dev.tcc.runtime.recovery;

import dev.tcc.runtime.BranchState;
import dev.tcc.runtime.TccSettings;
import dev.tcc.runtime.TransactionState;
import dev.tcc.runtime.coordinator.PhaseTwo;
import dev.tcc.runtime.log.BranchRecord;
import dev.tcc.runtime.log.TransactionLog;
import dev.tcc.runtime.log.TransactionRecord;
import dev.tcc.spi.BranchReference;
import dev.tcc.spi.Decision;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Coordinator-side recovery: re-drives transactions left in {@code CONFIRMING} or
 * {@code CANCELLING} (after a crash, or rescheduled after a failed round) once they are due
 * and their lease has ended. Several instances may run it on one database: a transaction is
 * claimed with a conditional update of its lease, so exactly one instance drives it at a time.
 */
public final class CoordinatorRecovery {

    private final TransactionLog transactionLog;
    private final PhaseTwo phaseTwo;
    private final TccSettings settings;
    private final Clock clock;
    private final String instanceId;

    public CoordinatorRecovery(TransactionLog transactionLog, PhaseTwo phaseTwo, TccSettings settings, Clock clock,
                               String instanceId) {
        this.transactionLog = transactionLog;
        this.phaseTwo = phaseTwo;
        this.settings = settings;
        this.clock = clock;
        this.instanceId = instanceId;
    }

    /** One pass; returns how many transactions this instance drove. */
    public int runOnce() {
        Instant now = clock.instant();
        int driven = 0;
        for (String xid : transactionLog.due(now, settings.recoveryBatchSize())) {
            if (transactionLog.claim(xid, instanceId, now.plus(settings.recoveryLease()), now)) {
                drive(xid);
                driven++;
            }
        }
        return driven;
    }

    /** Drives one claimed transaction through a round of phase two. */
    public TransactionState drive(String xid) {
        Optional<TransactionRecord> found = transactionLog.find(xid);
        if (found.isEmpty()) {
            return null;
        }
        TransactionRecord tx = found.get();
        if (tx.state() != TransactionState.CONFIRMING && tx.state() != TransactionState.CANCELLING) {
            return tx.state();
        }
        List<BranchReference> branches = tx.branches().stream()
                .map(b -> b.reference(xid))
                .toList();
        BranchState done = tx.decision() == Decision.CONFIRM ? BranchState.CONFIRMED : BranchState.CANCELLED;
        Set<Integer> alreadyDone = tx.branches().stream()
                .filter(b -> b.state() == done || b.state() == BranchState.REFUSED)
                .map(BranchRecord::branchId)
                .collect(Collectors.toSet());
        boolean refusedBefore = tx.branches().stream().anyMatch(b -> b.state() == BranchState.REFUSED);
        return phaseTwo.drive(xid, tx.name(), tx.decision(), branches, tx.rounds(), tx.createdAt(), alreadyDone, refusedBefore);
    }

}

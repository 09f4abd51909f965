package dev.tcc.runtime.log;

import dev.tcc.runtime.TransactionState;
import dev.tcc.spi.Decision;
import java.time.Instant;
import java.util.List;

/**
 * A global transaction as the coordinator's log stores it. {@code branches} is empty when the
 * record was listed without them.
 */
public record TransactionRecord(String xid, String name, TransactionState state, Decision decision, String cause,
                                Instant createdAt, Instant timeoutAt, Instant decidedAt, Instant finishedAt, int rounds,
                                Instant nextAttemptAt, String leaseOwner, Instant leaseUntil, List<BranchRecord> branches) {

    public TransactionRecord {
        branches = List.copyOf(branches);
    }

    TransactionRecord withBranches(List<BranchRecord> all) {
        return new TransactionRecord(xid, name, state, decision, cause, createdAt, timeoutAt, decidedAt, finishedAt, rounds,
                nextAttemptAt, leaseOwner, leaseUntil, all);
    }
}

package dev.tcc.api.operations;

import dev.tcc.spi.Decision;
import java.time.Instant;
import java.util.List;

/**
 * A global transaction as the coordinator's log stores it, as operators and dashboards read it. {@code branches} is empty when the
 * record was listed without them.
 */
public record TransactionRecord(String xid, String name, TransactionState state, Decision decision, String cause,
                                Instant createdAt, Instant timeoutAt, Instant decidedAt, Instant finishedAt, int rounds,
                                Instant nextAttemptAt, String leaseOwner, Instant leaseUntil, List<BranchRecord> branches) {

    public TransactionRecord {
        branches = List.copyOf(branches);
    }

    /** This record with {@code all} as its branches. */
    public TransactionRecord withBranches(List<BranchRecord> all) {
        return new TransactionRecord(xid, name, state, decision, cause, createdAt, timeoutAt, decidedAt, finishedAt, rounds,
                nextAttemptAt, leaseOwner, leaseUntil, all);
    }
}

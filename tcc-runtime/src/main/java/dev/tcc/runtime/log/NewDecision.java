package dev.tcc.runtime.log;

import dev.tcc.spi.BranchReference;
import dev.tcc.spi.Decision;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A decision an initiator writes with {@link Decisions#write}: the transaction it decides, the
 * decision, the lease that lets the initiator drive phase two, and the branches phase two delivers to.
 *
 * @param cause why the transaction cancels; null for a confirm
 * @param decidedAt when the initiator decided
 * @param decideBefore latest time the decision may be written (read on the open connection right before the
 *        write); null for none (a cancel)
 */
public record NewDecision(String xid, String name, Decision decision, String cause, Instant createdAt, Instant timeoutAt,
                          Instant decidedAt, Lease lease, List<BranchReference> branches, Instant decideBefore) {

    public NewDecision {
        Objects.requireNonNull(xid, "xid");
        Objects.requireNonNull(decision, "decision");
        Objects.requireNonNull(lease, "lease");
        branches = List.copyOf(branches);
        if (decision == Decision.UNDECIDED) {
            throw new IllegalArgumentException("A decision of [" + xid + "] must be CONFIRM or CANCEL, not [" + decision + "]");
        }
    }
}

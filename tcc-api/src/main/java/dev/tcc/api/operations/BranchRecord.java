package dev.tcc.api.operations;

import dev.tcc.spi.BranchReference;
import java.time.Instant;

/**
 * A branch as the coordinator's log stores it.
 *
 * @param attempts  phase-two deliveries made so far (0 until phase two ran)
 * @param lastError the last phase-two failure, or null
 */
public record BranchRecord(int branchId, String participant, String action, Instant holdDeadline, BranchState state,
                           int attempts, String lastError) {

    /** The reference phase two routes by. */
    public BranchReference reference(String xid) {
        return new BranchReference(xid, branchId, participant, action, holdDeadline, 1);
    }
}

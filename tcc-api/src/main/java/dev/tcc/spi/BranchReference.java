package dev.tcc.spi;

import java.time.Instant;
import java.util.Objects;

/**
 * What the coordinator knows of one branch: enough to route a confirm or cancel to its
 * participant. The participant keeps the arguments and the try result itself.
 *
 * @param xid          global transaction id
 * @param branchId     branch id within the transaction, 1-based in try order
 * @param participant  {@link BranchParticipant#id()} of the participant that owns the branch
 * @param action       action name of the try
 * @param holdDeadline instant the hold expires unless confirmed
 * @param attempt      1 for the first delivery of this phase, higher for retries
 */
public record BranchReference(String xid, int branchId, String participant, String action,
                              Instant holdDeadline, int attempt) {

    public BranchReference {
        Objects.requireNonNull(xid, "xid");
        Objects.requireNonNull(participant, "participant");
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(holdDeadline, "holdDeadline");
    }

    /** The same branch for another delivery attempt. */
    public BranchReference withAttempt(int newAttempt) {
        return new BranchReference(xid, branchId, participant, action, holdDeadline, newAttempt);
    }

    /** {@code xid:branchId}, stable across every retry of every phase of the branch. */
    public String idempotencyKey() {
        return xid + ":" + branchId;
    }
}

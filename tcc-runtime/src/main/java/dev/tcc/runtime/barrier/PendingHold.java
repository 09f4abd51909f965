package dev.tcc.runtime.barrier;

import java.time.Instant;

/**
 * A barrier row still {@code TRIED} that recovery looks at.
 *
 * @param timeoutAt the transaction's timeout: past it, an undecided transaction can only cancel
 */
public record PendingHold(String xid, int branchId, String action, Instant holdDeadline, Instant timeoutAt) {

    /** Whether the hold itself has expired at {@code now} (not only the transaction's timeout). */
    public boolean holdExpired(Instant now) {
        return holdDeadline.isBefore(now);
    }
}

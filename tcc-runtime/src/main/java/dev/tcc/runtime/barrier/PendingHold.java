package dev.tcc.runtime.barrier;

import java.time.Instant;

/**
 * A barrier row still {@code TRIED} that recovery looks at.
 *
 * @param timeoutAt   the transaction's timeout: past it, an undecided transaction can only cancel
 * @param coordinator the coordinator endpoint of a caller in another service, or null for this service's own
 */
public record PendingHold(String xid, int branchId, String action, Instant holdDeadline, Instant timeoutAt,
                          String coordinator) {

    /** A hold of this service's own transactions. */
    public PendingHold(String xid, int branchId, String action, Instant holdDeadline, Instant timeoutAt) {
        this(xid, branchId, action, holdDeadline, timeoutAt, null);
    }

    /** The cursor before every hold. */
    public static final PendingHold START = new PendingHold("", Integer.MIN_VALUE, "", Instant.parse("1970-01-01T00:00:00Z"),
            Instant.parse("1970-01-01T00:00:00Z"));


    /** Whether the hold itself has expired at {@code now} (not only the transaction's timeout). */
    public boolean holdExpired(Instant now) {
        return holdDeadline.isBefore(now);
    }
}

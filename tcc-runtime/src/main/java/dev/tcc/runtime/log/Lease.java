package dev.tcc.runtime.log;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Objects;

/**
 * The right to drive one transaction through phase two: the instance that holds it and until
 * when. The pair is the fencing token: a claim never sets a lease equal to one it replaces (it
 * takes only an ended lease, so its end is later), and every write of a round ({@code finish},
 * {@code reschedule}) succeeds only while the transaction still carries the lease its driver
 * claimed, so a driver that lost its lease cannot count a round or clear another driver's lease.
 *
 * @param until truncated to milliseconds, so it compares equal after a round trip through any database
 */
public record Lease(String owner, Instant until) {

    public Lease {
        Objects.requireNonNull(owner, "owner");
        until = until.truncatedTo(ChronoUnit.MILLIS);
    }
}

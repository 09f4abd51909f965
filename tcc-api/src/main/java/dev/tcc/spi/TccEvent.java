package dev.tcc.spi;

import java.time.Duration;
import java.util.Objects;

/**
 * Something that happened in the runtime, for metrics and logs. Built only when a
 * {@link TccEventListener} is registered.
 *
 * @param type     what happened
 * @param xid      global transaction id
 * @param name     transaction name (or the action name for branch events)
 * @param outcome  final state for {@link Type#TRANSACTION_FINISHED}, else the phase
 * @param duration how long it took, {@link Duration#ZERO} when not measured
 */
public record TccEvent(Type type, String xid, String name, String outcome, Duration duration) {

    public TccEvent {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(duration, "duration");
    }

    /** Kinds of event. */
    public enum Type {
        /** A transaction reached a final state (CONFIRMED, CANCELLED, FAILED or HEURISTIC). */
        TRANSACTION_FINISHED,
        /** A decision was made durable; duration is the time from begin to decision. */
        DECIDED,
        /**
         * Phase two of one transaction ran to the end; duration is its length: from the durable decision to the
         * final write when phase two ran batched and asynchronous, else the round that finished it.
         */
        PHASE_TWO_COMPLETED,
        /**
         * One attempt of a phase-two call to a participant failed (one event per failed attempt); it is retried
         * within the round, in a later round, or by an operator once the transaction is FAILED.
         */
        BRANCH_RETRY,
        /** A branch was tried. */
        BRANCH_TRIED
    }

    @Override
    public String toString() {
        return switch (type) {
            case TRANSACTION_FINISHED -> "Transaction '" + name + "' [" + xid + "] finished " + outcome + " after " + duration.toMillis() + " ms";
            case DECIDED -> "Transaction '" + name + "' [" + xid + "] decided " + outcome + " after " + duration.toMillis() + " ms";
            case PHASE_TWO_COMPLETED -> "Phase two " + outcome + " of '" + name + "' [" + xid + "] took " + duration.toMillis() + " ms";
            case BRANCH_RETRY -> "Branch '" + name + "' of [" + xid + "] will retry " + outcome;
            case BRANCH_TRIED -> "Branch '" + name + "' of [" + xid + "] tried";
        };
    }
}

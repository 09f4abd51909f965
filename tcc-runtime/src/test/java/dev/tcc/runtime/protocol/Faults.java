package dev.tcc.runtime.protocol;

import java.util.EnumMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * How often each fault of the simulation really happened: a schedule that asks for a fault is
 * not proof that it occurred, so every injection point counts when it fires, and the tests
 * assert on the counts.
 */
final class Faults {

    /** The faults the simulation injects, and the recovery work it counts alongside. */
    enum Fault {
        /** The coordinator's question failed: it could not be reached (connection refused, or a remote link down). */
        DECISION_UNREACHABLE,
        /** The question's transaction could not get a lock in time (SQLState HYT00). */
        DECISION_LOCK_TIMEOUT,
        /** The question's transaction lost a serialization conflict (SQLState 40001). */
        DECISION_SERIALIZATION_FAILURE,
        /** The question's transaction was a deadlock victim (SQLState 40P01). */
        DECISION_DEADLOCK,
        /** The log's pool had no connection in time (SQLTransientConnectionException, no SQLState). */
        DECISION_POOL_TIMEOUT,
        /** The question's path threw a plain RuntimeException (a bug, a codec error). */
        DECISION_RUNTIME_EXCEPTION,
        /** The coordinator recorded its answer, then the answer was lost on the way back. */
        DECISION_ANSWER_LOST,
        /** A period in which the participants could not reach the coordinator at all. */
        COORDINATOR_OUTAGE,
        /** A period in which a participant's confirm and cancel bodies fail. */
        PARTICIPANT_OUTAGE,
        /** A confirm or cancel body failed after its update (rolled back). */
        BODY_FAILURE,
        /** A queued phase-two round never ran (its initiator crashed). */
        ROUND_LOST,
        /** A phase-two round ran twice. */
        ROUND_DUPLICATED,
        /** A round ran every body, then its finish write was lost (a crash before the finish). */
        FINISH_LOST,
        /** The initiator stalled between its confirm check and its decision write. */
        STALL_BEFORE_DECISION,
        /** ... for longer than the holds, with hold expiry running during the stall. */
        STALL_PAST_HOLD_EXPIRY,
        /** ... and longer than every retention, with retention running during the stall. */
        STALL_PAST_RETENTION,
        /** The clock jumped between steps. */
        CLOCK_JUMP,
        /** Branches hold expiry finished. */
        HOLD_EXPIRED,
        /** Rows retention purged (transactions, branches, barrier rows). */
        RETENTION_PURGED,
        /** Drain tasks of the second instance's batcher that ran (phase two batched across transactions). */
        BATCH_DRAINED,
        /** Transactions the second instance (skewed clock) drove in its recovery. */
        SECOND_DRIVER,
        /** Transactions the second instance began as an initiator. */
        SECOND_INITIATOR,
        /** An operator retried a FAILED transaction. */
        OPERATOR_RETRY,
        /** A late duplicate confirm or cancel delivered to a participant. */
        LATE_DELIVERY,
        /** A late delivery refused (ConfirmRefusedException, CancelRefusedException): an outcome, not a fault. */
        LATE_DELIVERY_REFUSED,
        /** Transactions that ended HEURISTIC after their coordinator was unreachable long enough: an outcome. */
        HEURISTIC_AFTER_OUTAGE
    }

    private final Map<Fault, Long> counts = new EnumMap<>(Fault.class);

    void add(Fault fault) {
        add(fault, 1);
    }

    void add(Fault fault, long n) {
        if (n > 0) {
            counts.merge(fault, n, Long::sum);
        }
    }

    long count(Fault fault) {
        return counts.getOrDefault(fault, 0L);
    }

    synchronized void addAll(Faults other) {
        other.counts.forEach((fault, n) -> counts.merge(fault, n, Long::sum));
    }

    @Override
    public String toString() {
        return java.util.Arrays.stream(Fault.values())
                .map(f -> f.name() + "=" + count(f))
                .collect(Collectors.joining(" "));
    }
}

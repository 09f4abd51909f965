package dev.tcc.runtime.protocol;

import dev.tcc.runtime.protocol.Faults.Fault;
import dev.tcc.spi.CoordinatorUnreachableException;
import dev.tcc.spi.Decision;
import dev.tcc.spi.DecisionSource;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLTimeoutException;
import java.sql.SQLTransientConnectionException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.function.BooleanSupplier;

/**
 * The decision source hold expiry asks, with every kind of failure a real one has: the log's
 * database refuses the connection or its pool times out, the question's transaction hits a lock
 * timeout, a serialization failure or a deadlock (injected into the log's database, so the real
 * {@code LocalDecisionSource} classifies them), a plain RuntimeException, an answer lost after the
 * coordinator recorded it, and outages in which the coordinator cannot be reached at all.
 *
 * <p>It also keeps, per xid, how long the coordinator was seen unreachable (first to latest
 * unreachable answer, by this instance's clock): hold expiry may expire alone, and a transaction
 * end HEURISTIC, only when that span reached {@code coordinator-unreachable-after}.
 */
final class FaultyDecisionSource implements DecisionSource {

    private final Faults faults;
    private final Random random;
    private final Clock clock;
    private final FaultyLogDatabase logDatabase;
    private final BooleanSupplier outage;
    private final int failurePercent;
    private final Map<String, Instant> firstUnreachable = new HashMap<>();
    private final Map<String, Duration> unreachableSpan = new HashMap<>();
    private DecisionSource coordinator;

    FaultyDecisionSource(Faults faults, Random random, Clock clock, FaultyLogDatabase logDatabase, BooleanSupplier outage,
                         int failurePercent) {
        this.faults = faults;
        this.random = random;
        this.clock = clock;
        this.logDatabase = logDatabase;
        this.outage = outage;
        this.failurePercent = failurePercent;
    }

    /** The coordinator's own source, known once the runtime is built. */
    void bind(DecisionSource coordinator) {
        this.coordinator = coordinator;
    }

    @Override
    public Decision read(String xid) throws Exception {
        return coordinator.read(xid);
    }

    @Override
    public Decision decideCancelUnlessConfirmed(String xid, int branchId) throws Exception {
        try {
            return ask(xid, branchId);
        } catch (CoordinatorUnreachableException unreachable) {
            Instant now = clock.instant();
            Instant first = firstUnreachable.computeIfAbsent(xid, k -> now);
            unreachableSpan.merge(xid, Duration.between(first, now), (a, b) -> a.compareTo(b) >= 0 ? a : b);
            throw unreachable;
        }
    }

    /** The longest time this source saw the coordinator unreachable for {@code xid}. */
    Duration unreachableSpan(String xid) {
        return unreachableSpan.getOrDefault(xid, Duration.ZERO);
    }

    private Decision ask(String xid, int branchId) throws Exception {
        if (outage.getAsBoolean()) {
            faults.add(Fault.DECISION_UNREACHABLE);
            throw new CoordinatorUnreachableException("injected: the coordinator is down", null);
        }
        if (random.nextInt(100) >= failurePercent) {
            return coordinator.decideCancelUnlessConfirmed(xid, branchId);
        }
        switch (random.nextInt(8)) {
            case 0 -> {
                return viaLog(xid, branchId, Fault.DECISION_UNREACHABLE, true,
                        new SQLNonTransientConnectionException("injected: Connection refused", "08001"));
            }
            case 1 -> {
                return viaLog(xid, branchId, Fault.DECISION_POOL_TIMEOUT, true, new SQLTransientConnectionException(
                        "injected: tcc-log - Connection is not available, request timed out after 30000ms."));
            }
            case 2 -> {
                return viaLog(xid, branchId, Fault.DECISION_LOCK_TIMEOUT, false,
                        new SQLTimeoutException("injected: Timeout trying to lock table", "HYT00"));
            }
            case 3 -> {
                return viaLog(xid, branchId, Fault.DECISION_SERIALIZATION_FAILURE, false,
                        new SQLException("injected: could not serialize access due to concurrent update", "40001"));
            }
            case 4 -> {
                return viaLog(xid, branchId, Fault.DECISION_DEADLOCK, false, new SQLException("injected: deadlock detected", "40P01"));
            }
            case 5 -> {
                faults.add(Fault.DECISION_RUNTIME_EXCEPTION);
                throw new IllegalStateException("injected: a bug on the question's path");
            }
            case 6 -> {
                Decision recorded = coordinator.decideCancelUnlessConfirmed(xid, branchId);
                faults.add(Fault.DECISION_ANSWER_LOST);
                throw new CoordinatorUnreachableException("injected: the answer " + recorded + " was lost on its way back", null);
            }
            default -> {
                faults.add(Fault.DECISION_UNREACHABLE);
                throw new CoordinatorUnreachableException("injected: the coordinator's endpoint timed out", null);
            }
        }
    }

    /** Asks with {@code failure} armed on the log's database (its next connection, or next statement). */
    private Decision viaLog(String xid, int branchId, Fault fault, boolean onConnection, SQLException failure) throws Exception {
        if (onConnection) {
            logDatabase.failNextConnection(failure);
        } else {
            logDatabase.failNextStatement(sql -> true, failure);
        }
        try {
            return coordinator.decideCancelUnlessConfirmed(xid, branchId);
        } finally {
            if (logDatabase.disarm()) {
                faults.add(fault);
            }
        }
    }
}

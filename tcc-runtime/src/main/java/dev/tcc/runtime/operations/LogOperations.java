package dev.tcc.runtime.operations;

import dev.tcc.api.operations.TccOperations;
import dev.tcc.api.operations.TransactionRecord;
import dev.tcc.api.operations.TransactionState;
import dev.tcc.runtime.log.TransactionLog;
import dev.tcc.runtime.recovery.CoordinatorRecovery;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/** {@link TccOperations} over the coordinator's transaction log; a retry is driven by coordinator recovery. */
public final class LogOperations implements TccOperations {

    private final TransactionLog transactionLog;
    private final CoordinatorRecovery recovery;
    private final Clock clock;

    public LogOperations(TransactionLog transactionLog, CoordinatorRecovery recovery, Clock clock) {
        this.transactionLog = Objects.requireNonNull(transactionLog, "transactionLog");
        this.recovery = Objects.requireNonNull(recovery, "recovery");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public List<TransactionRecord> list(TransactionState state, int limit) {
        return transactionLog.queries().list(state, limit);
    }

    @Override
    public Optional<TransactionRecord> find(String xid) {
        return transactionLog.queries().find(xid);
    }

    @Override
    public Map<TransactionState, Long> countByState() {
        return transactionLog.queries().countByState();
    }

    @Override
    public long countStuck(Duration olderThan) {
        return transactionLog.queries().countStuck(clock.instant().minus(olderThan));
    }

    @Override
    public Optional<TransactionState> retry(String xid) {
        if (!transactionLog.operator().retryFailed(xid)) {
            return Optional.empty();
        }
        Optional<TransactionState> driven = recovery.claimAndDrive(xid);
        return driven.isPresent() ? driven : transactionLog.queries().find(xid).map(TransactionRecord::state);
    }

    @Override
    public boolean forceFinish(String xid, TransactionState state, String note) {
        return transactionLog.operator().forceFinish(xid, state, note, clock.instant());
    }
}

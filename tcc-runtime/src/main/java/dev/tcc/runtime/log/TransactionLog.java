package dev.tcc.runtime.log;

import dev.tcc.api.IllegalTransactionStateException;
import dev.tcc.api.TransactionLogException;
import dev.tcc.api.operations.BranchRecord;
import dev.tcc.api.operations.BranchState;
import dev.tcc.api.operations.TransactionRecord;
import dev.tcc.api.operations.TransactionState;
import dev.tcc.runtime.jdbc.Jdbc;
import dev.tcc.runtime.jdbc.SqlDialect;
import dev.tcc.spi.LocalTransactionRunner;
import java.time.Clock;

/**
 * The coordinator's transaction log on JDBC, split by job: {@link #decisions()}, the state moves of
 * {@link #phaseTwo()}, the {@link #recovery()} queue, {@link #operator()} commands, read-only
 * {@link #queries()} and the {@link #purge()} of finished rows. Every state change is a conditional
 * update from the states allowed before it, so two deciders (an initiator and a recovery worker, or a
 * participant asking about an expiring hold) cannot both win; callers learn from the returned boolean
 * whether their change happened.
 */
public final class TransactionLog {

    private final Decisions decisions;
    private final PhaseTwoStates phaseTwo;
    private final RecoveryQueue recovery;
    private final OperatorCommands operator;
    private final LogQueries queries;
    private final LogPurge purge;

    public TransactionLog(LocalTransactionRunner database, SqlDialect dialect) {
        this(database, dialect, Clock.systemUTC());
    }

    /** @param clock read on the open connection right before a decision is written, for its time limit */
    public TransactionLog(LocalTransactionRunner database, SqlDialect dialect, Clock clock) {
        LogDatabase logDatabase = new LogDatabase(database, dialect);
        this.decisions = new Decisions(logDatabase, clock);
        this.phaseTwo = new PhaseTwoStates(logDatabase);
        this.recovery = new RecoveryQueue(logDatabase);
        this.operator = new OperatorCommands(logDatabase);
        this.queries = new LogQueries(logDatabase);
        this.purge = new LogPurge(logDatabase);
    }

    /** Writing and reading decisions. */
    public Decisions decisions() {
        return decisions;
    }

    /** The state moves of phase two: finish, finish many, reschedule. */
    public PhaseTwoStates phaseTwo() {
        return phaseTwo;
    }

    /** Due transactions and their leases. */
    public RecoveryQueue recovery() {
        return recovery;
    }

    /** An operator's retry and force-finish. */
    public OperatorCommands operator() {
        return operator;
    }

    /** Find, list and count. */
    public LogQueries queries() {
        return queries;
    }

    /** Deleting old finished transactions. */
    public LogPurge purge() {
        return purge;
    }
}

package dev.tcc.runtime.log;

import dev.tcc.api.operations.TransactionState;
import dev.tcc.runtime.jdbc.Jdbc;
import dev.tcc.runtime.jdbc.SqlDialect;
import dev.tcc.spi.Decision;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;

/**
 * The transaction row a decision writes, with the parameters of the decision statements in one
 * place: an initiator's decision, or the cancel tombstone written for a participant about to expire
 * a hold.
 */
record DecisionRow(String xid, String name, TransactionState state, Decision decision, String cause, Instant createdAt,
                   Instant timeoutAt, Instant decidedAt, Instant finishedAt, String leaseOwner, Instant leaseUntil,
                   Instant decideBefore) {

    static DecisionRow of(NewDecision d) {
        TransactionState state = d.decision() == Decision.CONFIRM ? TransactionState.CONFIRMING : TransactionState.CANCELLING;
        return new DecisionRow(d.xid(), d.name(), state, d.decision(), d.cause(), d.createdAt(), d.timeoutAt(),
                d.decidedAt(), null, d.lease().owner(), d.lease().until(), d.decideBefore());
    }

    /** A cancel with no initiator behind it: final at once, no lease, no time limit. */
    static DecisionRow cancelTombstone(String xid, Instant now, String cause) {
        return new DecisionRow(xid, "(expired hold)", TransactionState.CANCELLED, Decision.CANCEL, cause, now, now, now, now,
                null, null, null);
    }

    /** Sets the parameters of {@link SqlDialect#writeDecision()}; returns the next parameter index. */
    int setInsert(PreparedStatement ps, Instant writtenAt) throws SQLException {
        ps.setString(1, xid);
        ps.setString(2, Jdbc.truncate(name, 200));
        ps.setString(3, state.code());
        ps.setString(4, decision.name());
        ps.setString(5, Jdbc.truncate(cause, 1000));
        Jdbc.setInstant(ps, 6, createdAt);
        Jdbc.setInstant(ps, 7, timeoutAt);
        Jdbc.setInstant(ps, 8, decidedAt);
        Jdbc.setInstant(ps, 9, finishedAt);
        ps.setString(10, leaseOwner);
        Jdbc.setInstant(ps, 11, leaseUntil);
        Jdbc.setInstant(ps, 12, decideBefore);
        Jdbc.setInstant(ps, 13, writtenAt);
        Jdbc.setInstant(ps, 14, decideBefore);
        return 15;
    }

    /** Sets the parameters of the conditional update of a {@code TRYING} row. */
    void setUpdateIfTrying(PreparedStatement ps, Instant writtenAt) throws SQLException {
        ps.setString(1, state.code());
        ps.setString(2, decision.name());
        ps.setString(3, Jdbc.truncate(cause, 1000));
        Jdbc.setInstant(ps, 4, decidedAt);
        Jdbc.setInstant(ps, 5, finishedAt);
        ps.setString(6, leaseOwner);
        Jdbc.setInstant(ps, 7, leaseUntil);
        ps.setString(8, xid);
        Jdbc.setInstant(ps, 9, decideBefore);
        Jdbc.setInstant(ps, 10, writtenAt);
        Jdbc.setInstant(ps, 11, decideBefore);
    }
}

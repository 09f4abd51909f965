package dev.tcc.runtime.log;

import dev.tcc.api.operations.TransactionState;
import dev.tcc.runtime.jdbc.Jdbc;
import dev.tcc.runtime.jdbc.Statements;
import dev.tcc.spi.Decision;
import java.sql.PreparedStatement;
import java.time.Instant;

/** What an operator does to a FAILED transaction: send it back to phase two, or record that it was finished by hand. */
public final class OperatorCommands {

    private final LogDatabase database;

    OperatorCommands(LogDatabase database) {
        this.database = database;
    }

    /** An operator's retry of a FAILED transaction: back to phase two with a fresh budget. */
    public boolean retryFailed(String xid) {
        return database.run("retry [" + xid + "]", c -> {
            Decision decision = LogRows.decisionOf(c, xid);
            TransactionState state = decision == Decision.CONFIRM ? TransactionState.CONFIRMING : TransactionState.CANCELLING;
            try (PreparedStatement ps = c.prepareStatement(Statements.TRANSACTION_OPERATOR_RETRY)) {
                ps.setString(1, state.code());
                ps.setString(2, xid);
                return ps.executeUpdate() == 1;
            }
        });
    }

    /** An operator's statement that a FAILED transaction was finished by hand. */
    public boolean forceFinish(String xid, TransactionState to, String note, Instant now) {
        // only the final states the transition table lets a FAILED transaction become
        if (!to.isFinal() || !TransactionState.FAILED.canBecome(to)) {
            throw new IllegalArgumentException("A FAILED transaction can only be forced to one of the final states "
                    + TransactionState.FAILED.successors().stream().filter(TransactionState::isFinal).toList() + ", not [" + to + "]");
        }
        return database.run("force-finish [" + xid + "]", c -> {
            try (PreparedStatement ps = c.prepareStatement(Statements.TRANSACTION_FORCE_FINISH)) {
                ps.setString(1, to.code());
                Jdbc.setInstant(ps, 2, now);
                ps.setString(3, Jdbc.truncate(note, 1000));
                ps.setString(4, xid);
                return ps.executeUpdate() == 1;
            }
        });
    }
}

package dev.tcc.runtime.log;

import dev.tcc.runtime.jdbc.Jdbc;
import dev.tcc.runtime.jdbc.Statements;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.List;

/**
 * What recovery and phase two need to take a transaction over: the decided transactions that are due,
 * and the lease that makes one driver (of several instances) the only one.
 */
public final class RecoveryQueue {

    private final LogDatabase database;

    RecoveryQueue(LogDatabase database) {
        this.database = database;
    }

    /** Transactions in {@code CONFIRMING} or {@code CANCELLING} that are due and not leased. */
    public List<String> due(Instant now, int limit) {
        return database.run("find transactions to recover", c -> {
            try (PreparedStatement ps = c.prepareStatement(Statements.TRANSACTION_DUE)) {
                Jdbc.setInstant(ps, 1, now);
                Jdbc.setInstant(ps, 2, now);
                ps.setInt(3, limit);
                try (ResultSet rs = ps.executeQuery()) {
                    return LogRows.xids(rs);
                }
            }
        });
    }

    /** Takes the lease of a transaction whose lease ended (or has none) to drive it; true for exactly one of several drivers. */
    public boolean claim(String xid, Lease lease, Instant now) {
        return claim(xid, lease, now, null);
    }

    /**
     * Takes the lease of a transaction to drive it: one that ended, or the lease {@code held}
     * (given with the decision, or by an earlier claim) when the transaction still carries it.
     * True for exactly one of several drivers.
     */
    public boolean claim(String xid, Lease lease, Instant now, Lease held) {
        return database.run("claim [" + xid + "]", c -> {
            try (PreparedStatement ps = c.prepareStatement(Statements.TRANSACTION_CLAIM)) {
                ps.setString(1, lease.owner());
                Jdbc.setInstant(ps, 2, lease.until());
                ps.setString(3, xid);
                Jdbc.setInstant(ps, 4, now);
                ps.setString(5, held == null ? null : held.owner());
                Jdbc.setInstant(ps, 6, held == null ? null : held.until());
                return ps.executeUpdate() == 1;
            }
        });
    }
}

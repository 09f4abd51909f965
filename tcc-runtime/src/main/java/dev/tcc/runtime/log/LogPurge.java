package dev.tcc.runtime.log;

import dev.tcc.runtime.jdbc.Jdbc;
import dev.tcc.runtime.jdbc.Statements;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.List;

/** Deletes finished transactions once they are old enough, so the log stays small under constant load. */
public final class LogPurge {

    private final LogDatabase database;

    LogPurge(LogDatabase database) {
        this.database = database;
    }

    /** Deletes up to {@code limit} CONFIRMED or CANCELLED transactions finished before {@code before}; returns how many. */
    public int purge(Instant before, int limit) {
        return database.run("purge finished transactions", c -> {
            List<String> xids;
            try (PreparedStatement ps = c.prepareStatement(Statements.TRANSACTION_PURGEABLE)) {
                Jdbc.setInstant(ps, 1, before);
                ps.setInt(2, limit);
                try (ResultSet rs = ps.executeQuery()) {
                    xids = LogRows.xids(rs);
                }
            }
            for (String sql : List.of(Statements.BRANCH_PURGE, Statements.TRANSACTION_PURGE)) {
                try (PreparedStatement ps = c.prepareStatement(sql)) {
                    for (String xid : xids) {
                        ps.setString(1, xid);
                        ps.addBatch();
                    }
                    ps.executeBatch();
                }
            }
            return xids.size();
        });
    }
}

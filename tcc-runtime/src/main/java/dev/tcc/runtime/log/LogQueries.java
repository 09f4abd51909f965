package dev.tcc.runtime.log;

import dev.tcc.api.operations.TransactionRecord;
import dev.tcc.api.operations.TransactionState;
import dev.tcc.runtime.jdbc.Jdbc;
import dev.tcc.runtime.jdbc.Statements;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.Collection;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Read-only questions to the log: one transaction, lists, counts, and which transactions are not finished. */
public final class LogQueries {

    private final LogDatabase database;

    LogQueries(LogDatabase database) {
        this.database = database;
    }

    /** The transaction with its branches. */
    public Optional<TransactionRecord> find(String xid) {
        return database.run("read [" + xid + "]", c -> {
            TransactionRecord record;
            try (PreparedStatement ps = c.prepareStatement(Statements.TRANSACTION_FIND)) {
                ps.setString(1, xid);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return Optional.empty();
                    }
                    record = LogRows.transaction(rs);
                }
            }
            return Optional.of(record.withBranches(LogRows.branches(c, xid, record.state())));
        });
    }

    /** The newest transactions, in {@code state} or in any state when it is null, without branches. */
    public List<TransactionRecord> list(TransactionState state, int limit) {
        return database.run("list transactions", c -> {
            String sql = state == null ? Statements.TRANSACTION_LIST_RECENT : Statements.TRANSACTION_LIST_BY_STATE;
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                int i = 1;
                if (state != null) {
                    ps.setString(i++, state.code());
                }
                ps.setInt(i, limit);
                try (ResultSet rs = ps.executeQuery()) {
                    return LogRows.transactions(rs);
                }
            }
        });
    }

    /** How many transactions are in each state. */
    public Map<TransactionState, Long> countByState() {
        return database.run("count transactions", c -> {
            Map<TransactionState, Long> counts = new EnumMap<>(TransactionState.class);
            try (PreparedStatement ps = c.prepareStatement(Statements.TRANSACTION_COUNT_BY_STATE);
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    counts.put(TransactionState.fromCode(rs.getString(1)), rs.getLong(2));
                }
            }
            return counts;
        });
    }

    /** Transactions still in phase two that were decided before {@code before}. */
    public long countStuck(Instant before) {
        return database.run("count stuck transactions", c -> {
            try (PreparedStatement ps = c.prepareStatement(Statements.TRANSACTION_STUCK_COUNT)) {
                Jdbc.setInstant(ps, 1, before);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getLong(1);
                }
            }
        });
    }

    /**
     * Those of {@code xids} whose transaction the log holds in a state that is not final
     * ({@code TRYING}, {@code CONFIRMING}, {@code CANCELLING} or {@code FAILED}): phase two may
     * still deliver to their branches. An xid the log does not hold (any more) is not among them.
     */
    public Set<String> unfinishedAmong(Collection<String> xids) {
        List<String> distinct = xids.stream().distinct().toList();
        if (distinct.isEmpty()) {
            return Set.of();
        }
        return database.run("find unfinished transactions", c -> {
            Set<String> unfinished = new HashSet<>();
            for (int from = 0; from < distinct.size(); from += LogDatabase.IN_LIST_CHUNK) {
                List<String> chunk = distinct.subList(from, Math.min(distinct.size(), from + LogDatabase.IN_LIST_CHUNK));
                String sql = Statements.TRANSACTION_UNFINISHED_AMONG + "(" + "?, ".repeat(chunk.size() - 1) + "?)";
                try (PreparedStatement ps = c.prepareStatement(sql)) {
                    for (int i = 0; i < chunk.size(); i++) {
                        ps.setString(i + 1, chunk.get(i));
                    }
                    try (ResultSet rs = ps.executeQuery()) {
                        unfinished.addAll(LogRows.xids(rs));
                    }
                }
            }
            return unfinished;
        });
    }
}

package dev.tcc.sample.hold;

import dev.tcc.api.TccContext;
import java.math.BigDecimal;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Collectors;

import javax.sql.DataSource;

import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The hold rows of one participant (table {@code seat_hold}, {@code room_hold} or
 * {@code payment_hold} in that participant's database). Every change is a conditional update from
 * {@code PENDING}, so a confirm and a release can never both apply. Writes join the local
 * transaction the TCC runtime opened on the same DataSource, and so commit with the barrier row.
 */
public final class HoldLedger {

    private final JdbcClient jdbc;
    private final String table;
    private final Clock clock;

    public HoldLedger(DataSource dataSource, String table, Clock clock) {
        if (!table.matches("[a-z_]+")) {
            throw new IllegalArgumentException("Bad table name [" + table + "]");
        }
        this.jdbc = JdbcClient.create(dataSource);
        this.table = table;
        this.clock = clock;
    }

    /** Inserts a PENDING hold of the branch running now, expiring with its barrier row; returns its id. */
    public String hold(TccContext branch, String resource, int quantity, BigDecimal amount) {
        String id = UUID.randomUUID().toString();
        long now = clock.millis();
        jdbc.sql("INSERT INTO " + table + " (id, xid, resource, quantity, amount, state, created_at, expires_at)"
                        + " VALUES (?, ?, ?, ?, ?, 'PENDING', ?, ?)")
                .params(id, branch.xid(), resource, quantity, amount, now, branch.holdDeadline().toEpochMilli())
                .update();
        return id;
    }

    /** PENDING -> CONFIRMED; the hold, when this call changed it. */
    public Optional<HoldRow> confirm(String id) {
        return finish(id, HoldState.CONFIRMED);
    }

    /** PENDING -> RELEASED; the hold, when this call changed it (then the caller gives the resource back). */
    public Optional<HoldRow> release(String id) {
        return finish(id, HoldState.RELEASED);
    }

    private Optional<HoldRow> finish(String id, HoldState state) {
        if (id == null) {
            return Optional.empty();
        }
        int changed = jdbc.sql("UPDATE " + table + " SET state = ?, finished_at = ? WHERE id = ? AND state = 'PENDING'")
                .params(state.name(), clock.millis(), id)
                .update();
        return changed == 1 ? find(id) : Optional.empty();
    }

    public Optional<HoldRow> find(String id) {
        return jdbc.sql("SELECT * FROM " + table + " WHERE id = ?").param(id).query(HoldLedger::row).optional();
    }

    /** The newest holds first. */
    public List<HoldRow> recent(int limit) {
        return jdbc.sql("SELECT * FROM " + table + " ORDER BY created_at DESC, id LIMIT ?").param(limit).query(HoldLedger::row).list();
    }

    /** The holds of one transaction. */
    public List<HoldRow> ofTransaction(String xid) {
        return jdbc.sql("SELECT * FROM " + table + " WHERE xid = ? ORDER BY created_at").param(xid).query(HoldLedger::row).list();
    }

    /** Quantity per resource and state, e.g. {TCC101 -> {PENDING -> 2, CONFIRMED -> 5}}. */
    public Map<String, Map<HoldState, Long>> quantities() {
        record Sum(String resource, HoldState state, long quantity) {
        }
        return jdbc.sql("SELECT resource, state, SUM(quantity) AS q FROM " + table + " GROUP BY resource, state")
                .query((rs, n) -> new Sum(rs.getString("resource"), HoldState.valueOf(rs.getString("state")), rs.getLong("q")))
                .list().stream()
                .collect(Collectors.groupingBy(Sum::resource, Collectors.toMap(Sum::state, Sum::quantity)));
    }

    /** Sum of amounts per resource and state. */
    public Map<String, Map<HoldState, BigDecimal>> amounts() {
        record Sum(String resource, HoldState state, BigDecimal amount) {
        }
        return jdbc.sql("SELECT resource, state, SUM(amount) AS a FROM " + table + " GROUP BY resource, state")
                .query((rs, n) -> new Sum(rs.getString("resource"), HoldState.valueOf(rs.getString("state")), rs.getBigDecimal("a")))
                .list().stream()
                .collect(Collectors.groupingBy(Sum::resource, Collectors.toMap(Sum::state, Sum::amount)));
    }

    public long countPending() {
        return jdbc.sql("SELECT COUNT(*) FROM " + table + " WHERE state = 'PENDING'").query(Long.class).single();
    }

    private static HoldRow row(java.sql.ResultSet rs, int n) throws java.sql.SQLException {
        long finished = rs.getLong("finished_at");
        Long finishedAt = rs.wasNull() ? null : finished;
        return new HoldRow(rs.getString("id"), rs.getString("xid"), rs.getString("resource"), rs.getInt("quantity"),
                rs.getBigDecimal("amount"), HoldState.valueOf(rs.getString("state")), rs.getLong("created_at"),
                rs.getLong("expires_at"), finishedAt);
    }
}

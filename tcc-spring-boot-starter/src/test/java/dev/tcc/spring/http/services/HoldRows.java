package dev.tcc.spring.http.services;

import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.springframework.jdbc.core.simple.JdbcClient;

/** Reads a service's hold rows and TCC tables, for the assertions. */
public record HoldRows(String service, DataSource dataSource) {

    static final String DDL = "CREATE TABLE hold_row (booking VARCHAR(64) NOT NULL, service VARCHAR(32) NOT NULL,"
            + " state VARCHAR(16) NOT NULL, confirms INTEGER NOT NULL, cancels INTEGER NOT NULL, PRIMARY KEY (booking, service))";

    /** PENDING, CONFIRMED, CANCELLED, or null when there is no row (the try never committed here). */
    public String state(String booking) {
        return JdbcClient.create(dataSource).sql("SELECT state FROM hold_row WHERE booking = ?").param(booking)
                .query(String.class).optional().orElse(null);
    }

    /** How often the confirm body ran for the booking. */
    public int confirms(String booking) {
        return JdbcClient.create(dataSource).sql("SELECT confirms FROM hold_row WHERE booking = ?").param(booking)
                .query(Integer.class).optional().orElse(0);
    }

    /** How often the cancel body ran for the booking. */
    public int cancels(String booking) {
        return JdbcClient.create(dataSource).sql("SELECT cancels FROM hold_row WHERE booking = ?").param(booking)
                .query(Integer.class).optional().orElse(0);
    }

    /** The barrier rows of an xid here: branch id, action and state, by branch id. */
    public List<Map<String, Object>> barrier(String xid) {
        return JdbcClient.create(dataSource).sql("SELECT branch_id, action, state FROM tcc_barrier WHERE xid = ? ORDER BY branch_id")
                .param(xid).query().listOfRows();
    }

    /** Every barrier row, whole, in a fixed order: what a refused request must leave unchanged. */
    public List<Map<String, Object>> wholeBarrierTable() {
        return JdbcClient.create(dataSource).sql("SELECT * FROM tcc_barrier ORDER BY xid, branch_id").query().listOfRows();
    }

    /** Every transaction of this service's log, whole, in a fixed order. */
    public List<Map<String, Object>> wholeTransactionTable() {
        return JdbcClient.create(dataSource).sql("SELECT * FROM tcc_transaction ORDER BY xid").query().listOfRows();
    }

    /** The barrier states of an xid here. */
    public List<String> barrierStates(String xid) {
        return barrier(xid).stream().map(row -> String.valueOf(row.get("state"))).toList();
    }
}

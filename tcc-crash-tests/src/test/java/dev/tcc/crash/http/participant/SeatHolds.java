package dev.tcc.crash.http.participant;

import dev.tcc.api.Cancel;
import dev.tcc.api.Confirm;
import dev.tcc.api.TccContext;
import dev.tcc.api.TccContextHolder;
import dev.tcc.api.Try;
import javax.sql.DataSource;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;

/**
 * The participant's action: the try records a {@code PENDING} seat hold for the caller's transaction, confirm makes
 * it {@code CONFIRMED}, cancel {@code RELEASED}. Each phase body counts its runs on the row, so a body run twice
 * shows. The hold lasts {@code tcc.hold.default-duration}.
 */
@Service
public class SeatHolds {

    /** The business table, created by the test before the service starts. */
    public static final String TABLE = "CREATE TABLE seat_hold (booking VARCHAR(64) PRIMARY KEY, xid VARCHAR(64) NOT NULL,"
            + " state VARCHAR(16) NOT NULL, confirms INTEGER NOT NULL, cancels INTEGER NOT NULL)";

    private final JdbcClient jdbc;

    SeatHolds(DataSource dataSource) {
        this.jdbc = JdbcClient.create(dataSource);
    }

    @Try
    public void hold(String booking) {
        jdbc.sql("INSERT INTO seat_hold (booking, xid, state, confirms, cancels) VALUES (?, ?, 'PENDING', 0, 0)")
                .params(booking, TccContextHolder.currentXid().orElseThrow()).update();
    }

    @Confirm("hold")
    public void keep(String booking, TccContext context) {
        jdbc.sql("UPDATE seat_hold SET state = 'CONFIRMED', confirms = confirms + 1 WHERE booking = ?").param(booking).update();
    }

    @Cancel("hold")
    public void release(String booking, TccContext context) {
        jdbc.sql("UPDATE seat_hold SET state = 'RELEASED', cancels = cancels + 1 WHERE booking = ?").param(booking).update();
    }
}

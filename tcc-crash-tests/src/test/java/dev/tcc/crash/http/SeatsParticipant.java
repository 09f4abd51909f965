package dev.tcc.crash.http;

import dev.tcc.crash.http.participant.SeatHolds;
import dev.tcc.crash.http.participant.SeatsApplication;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The participant service ({@link SeatsApplication}) in the test's JVM, on a random port with its own database, and
 * what the test reads of that database: the seat hold and the barrier row of a transaction.
 */
final class SeatsParticipant implements AutoCloseable {

    /** The seat hold of a transaction: the business row. */
    record Hold(String state, int confirms, int cancels) {
    }

    /** The barrier row of a transaction's branch here: its state, whom its hold expiry asks, when its hold runs out. */
    record Barrier(String state, String coordinator, Instant holdDeadline, Instant updatedAt) {
    }

    private final ConfigurableApplicationContext context;
    private final JdbcClient jdbc;

    private SeatsParticipant(ConfigurableApplicationContext context) {
        this.context = context;
        this.jdbc = JdbcClient.create(context.getBean(DataSource.class));
    }

    /**
     * Starts the service and creates its business table (before the initiator can call).
     *
     * @param coordinatorUnreachableAfter how long a coordinator must stay unreachable before a hold expires alone
     */
    static SeatsParticipant start(HttpCrashDatabases databases, String secret, Duration coordinatorUnreachableAfter) {
        Map<String, Object> properties = new LinkedHashMap<>();
        properties.put("spring.config.name", "http-participant");
        properties.put("spring.datasource.url", databases.participantUrl());
        properties.put("spring.datasource.username", databases.user());
        properties.put("tcc.http.signing.keys.crash", secret);
        properties.put("tcc.recovery.coordinator-unreachable-after", coordinatorUnreachableAfter.toMillis() + "ms");
        ConfigurableApplicationContext context = new SpringApplicationBuilder(SeatsApplication.class)
                .properties(properties)
                .run();
        SeatsParticipant participant = new SeatsParticipant(context);
        participant.jdbc.sql(SeatHolds.TABLE).update();
        return participant;
    }

    String url() {
        return "http://127.0.0.1:" + context.getEnvironment().getProperty("local.server.port");
    }

    Optional<Hold> hold(String xid) {
        return jdbc.sql("SELECT state, confirms, cancels FROM seat_hold WHERE xid = ?").param(xid)
                .query((rs, n) -> new Hold(rs.getString(1), rs.getInt(2), rs.getInt(3))).optional();
    }

    Optional<Barrier> barrier(String xid) {
        return jdbc.sql("SELECT state, coordinator, hold_deadline, updated_at FROM tcc_barrier WHERE xid = ?").param(xid)
                .query((rs, n) -> new Barrier(rs.getString(1), rs.getString(2),
                        rs.getObject(3, OffsetDateTime.class).toInstant(), rs.getObject(4, OffsetDateTime.class).toInstant()))
                .optional();
    }

    @Override
    public void close() {
        context.close();
    }
}

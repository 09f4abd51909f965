package dev.tcc.runtime.action;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import dev.tcc.runtime.TccRuntime;
import dev.tcc.runtime.action.LocalParticipant.Recorded;
import dev.tcc.runtime.http.HttpSettings;
import dev.tcc.runtime.jdbc.JdbcLocalTransactionRunner;
import dev.tcc.runtime.model.TccSettings;
import dev.tcc.runtime.testing.InterceptingDataSource;
import dev.tcc.runtime.testing.TestDatabases;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A try of a caller in another service (a call that arrived over HTTP) without external effects: what it sends to the
 * participant database, and what a repeated delivery of the call answers. The body runs first and the barrier row is
 * inserted after it, as for a local try: no barrier lookup before the body on the way of every remote try.
 */
class RemoteTryStatementsTests {

    private static final String COORDINATOR = "http://caller.test/tcc/coordinator";

    private HikariDataSource log;
    private HikariDataSource real;
    private InterceptingDataSource db;
    private TccRuntime runtime;

    @BeforeEach
    void setUp() {
        log = TestDatabases.h2("remote-try-log");
        real = TestDatabases.h2("remote-try-db");
        TestDatabases.execute(real, "CREATE TABLE seat_hold (seat VARCHAR(16) PRIMARY KEY, stamp VARCHAR(64) NOT NULL)");
        db = new InterceptingDataSource(real);
        runtime = TccRuntime.builder().transactionLog(log).initializeSchema(true)
                .settings(TccSettings.builder().build()).http(HttpSettings.defaults()).build();
        runtime.action("holdSeat", String.class, String.class).database("seats", db.dataSource())
                .onTry((c, seat, ctx) -> hold(c, seat)).onConfirm((c, seat, ctx) -> { }).onCancel((c, seat, ctx) -> { })
                .register();
    }

    @AfterEach
    void tearDown() {
        runtime.close();
        log.close();
        real.close();
    }

    /** Holds the seat on its natural key (a second hold of it fails on the key) and answers a stamp of this run. */
    private static String hold(Connection c, String seat) throws Exception {
        String stamp = UUID.randomUUID().toString();
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO seat_hold (seat, stamp) VALUES (?, ?)")) {
            ps.setString(1, seat);
            ps.setString(2, stamp);
            ps.executeUpdate();
        }
        return stamp;
    }

    /** The try's body, as the action's registration runs it: on the connection of the try's local transaction. */
    private String holdInTry(LocalParticipant participant, String seat) throws Exception {
        return hold(((JdbcLocalTransactionRunner) participant.action().runner()).currentConnection(), seat);
    }

    @Test
    void aRemoteTrySendsTheBodyThenOneBarrierInsertAndNoBarrierSelect() throws Exception {
        List<String> sent = db.recordStatements();
        List<String> sentBeforeBody = new ArrayList<>();
        LocalParticipant participant = runtime.participant("holdSeat");
        Instant hold = Instant.now().plusSeconds(60).truncatedTo(ChronoUnit.MILLIS);

        participant.tryBranch("x-1", 7, hold, hold, COORDINATOR, new Object[] {"12A"}, ctx -> {
            sentBeforeBody.addAll(sent);
            return holdInTry(participant, "12A");
        });

        assertThat(sentBeforeBody).as("statements before the body ran").isEmpty();
        assertThat(sent).as("the whole remote try").hasSize(2);
        assertThat(sent.get(0)).startsWith("INSERT INTO seat_hold");
        assertThat(sent.get(1)).containsIgnoringCase("tcc_barrier").doesNotStartWithIgnoringCase("SELECT");
    }

    /**
     * A retrying client or gateway delivers the caller's call again. The body runs again and meets the first delivery's
     * hold on its natural key: the repeated delivery still answers the recorded try (its result and hold deadline), and
     * the seat is held once, by the first delivery.
     */
    @Test
    void aRepeatedDeliveryWhoseBodyFailsOnTheFirstDeliverysWritesAnswersTheRecordedTry() throws Exception {
        LocalParticipant participant = runtime.participant("holdSeat");
        Instant first = Instant.now().plusSeconds(60).truncatedTo(ChronoUnit.MILLIS);
        Recorded recorded = participant.tryBranch("x-2", 7, first, first, COORDINATOR, new Object[] {"14C"},
                ctx -> holdInTry(participant, "14C"));

        Instant later = first.plusSeconds(5);
        Recorded again = participant.tryBranch("x-2", 7, later, later, COORDINATOR, new Object[] {"14C"},
                ctx -> holdInTry(participant, "14C"));

        assertThat(again).as("the repeated delivery's answer").isEqualTo(recorded);
        assertThat(again.holdDeadline()).isEqualTo(first);
        assertThat(TestDatabases.queryString(real, "SELECT stamp FROM seat_hold WHERE seat = '14C'"))
                .isEqualTo(recorded.result());
        assertThat(TestDatabases.queryLong(real, "SELECT COUNT(*) FROM tcc_barrier WHERE xid = 'x-2'")).isEqualTo(1);
    }

    /** A body that can run twice runs again and is rolled back: the answer and the effect are the first delivery's. */
    @Test
    void aRepeatedDeliveryWhoseBodyRunsAgainAnswersTheRecordedTryAndLeavesNoSecondEffect() throws Exception {
        LocalParticipant participant = runtime.participant("holdSeat");
        Instant hold = Instant.now().plusSeconds(60).truncatedTo(ChronoUnit.MILLIS);
        Recorded recorded = participant.tryBranch("x-3", 7, hold, hold, COORDINATOR, new Object[] {"15D"},
                ctx -> holdInTry(participant, "15D"));
        TestDatabases.execute(real, "DELETE FROM seat_hold WHERE seat = '15D'"); // its key no longer stops a second run

        Recorded again = participant.tryBranch("x-3", 7, hold, hold, COORDINATOR, new Object[] {"15D"},
                ctx -> holdInTry(participant, "15D"));

        assertThat(again).isEqualTo(recorded);
        assertThat(TestDatabases.queryLong(real, "SELECT COUNT(*) FROM seat_hold WHERE seat = '15D'"))
                .as("the second run's hold, rolled back with the try").isZero();
    }

    /** A remote try whose body fails with no try recorded before answers the body's own failure; nothing is held. */
    @Test
    void aFirstDeliveryWhoseBodyFailsAnswersTheBodysFailure() throws Exception {
        LocalParticipant participant = runtime.participant("holdSeat");
        Instant hold = Instant.now().plusSeconds(60).truncatedTo(ChronoUnit.MILLIS);
        TestDatabases.execute(real, "INSERT INTO seat_hold (seat, stamp) VALUES ('16E', 'another booking')");

        assertThatThrownBy(() -> participant.tryBranch("x-4", 7, hold, hold, COORDINATOR, new Object[] {"16E"},
                ctx -> holdInTry(participant, "16E"))).isInstanceOf(java.sql.SQLException.class);
        assertThat(TestDatabases.queryLong(real, "SELECT COUNT(*) FROM tcc_barrier WHERE xid = 'x-4'")).isZero();
    }
}

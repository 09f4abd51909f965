package dev.tcc.spring.selfinvocation;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.tcc.api.Cancel;
import dev.tcc.api.Confirm;
import dev.tcc.api.TccContext;
import dev.tcc.api.TccTransactional;
import dev.tcc.api.Try;
import dev.tcc.runtime.coordinator.Coordinator;
import dev.tcc.runtime.testing.MutableClock;
import dev.tcc.runtime.testing.TestDatabases;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * A transaction that returns without a single branch logs a warning, at most once a minute per
 * transaction (by the {@code Clock} bean named {@code tccClock}): its tries were most likely called through
 * {@code this} and ran as plain calls.
 */
@SpringBootTest(classes = SelfInvocationWarningTests.SelfInvocationApplication.class, properties = {
        "tcc.phase-two.asynchronous=false", "tcc.recovery.enabled=false", "spring.main.banner-mode=off"})
class SelfInvocationWarningTests {

    @Autowired
    TicketDesk desk;

    @Autowired
    MutableClock clock;

    @Autowired
    DataSource dataSource;

    private final ListAppender<ILoggingEvent> logged = new ListAppender<>();

    private final Logger coordinatorLog = (Logger) LoggerFactory.getLogger(Coordinator.class);

    @BeforeEach
    void captureCoordinatorLog() {
        logged.start();
        coordinatorLog.addAppender(logged);
    }

    @AfterEach
    void detach() {
        coordinatorLog.detachAppender(logged);
    }

    @Test
    void aTransactionWhoseTryIsCalledThroughThisWarnsOncePerMinuteNamingTheInitiator() {
        desk.sellThroughThis("F-1");
        desk.sellThroughThis("F-2");

        assertThat(warnings()).singleElement().satisfies(message -> assertThat(message)
                .contains("'TicketDesk.sellThroughThis'")
                .contains("without any branch")
                .contains("called through 'this'")
                .contains("not a Spring proxy"));
        assertThat(holdStates("F-1")).as("the try ran as a plain call").containsExactly("PENDING");

        clock.advance(Duration.ofSeconds(59));
        desk.sellThroughThis("F-3");
        assertThat(warnings()).hasSize(1);

        clock.advance(Duration.ofSeconds(1));
        desk.sellThroughThis("F-4");
        assertThat(warnings()).hasSize(2);
    }

    @Test
    void eachInitiatorIsRateLimitedOnItsOwn() {
        desk.refundThroughThis("F-5");

        assertThat(warnings()).singleElement().asString().contains("'TicketDesk.refundThroughThis'");
    }

    @Test
    void aTransactionWithABranchWarnsNothing() {
        String flight = "F-" + UUID.randomUUID();

        desk.sellThroughTheProxy(flight);

        assertThat(warnings()).isEmpty();
        assertThat(holdStates(flight)).containsExactly("CONFIRMED");
    }

    private List<String> warnings() {
        return logged.list.stream().filter(e -> e.getLevel() == Level.WARN).map(ILoggingEvent::getFormattedMessage).toList();
    }

    private List<String> holdStates(String flight) {
        return JdbcClient.create(dataSource).sql("SELECT state FROM ticket_hold WHERE flight = ?").param(flight)
                .query(String.class).list();
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    @Import({TicketDesk.class, TicketHolds.class})
    static class SelfInvocationApplication {

        @Bean
        DataSource dataSource() {
            DataSource dataSource = TestDatabases.h2("tickets");
            JdbcClient.create(dataSource).sql("CREATE TABLE ticket_hold (id VARCHAR(64) PRIMARY KEY, flight VARCHAR(64),"
                    + " state VARCHAR(16))").update();
            return dataSource;
        }

        @Bean
        MutableClock tccClock() {
            return new MutableClock(Instant.now());
        }
    }

    /** Initiator and participant in one bean: its own tries are called through 'this'. */
    static class TicketDesk {
        private final JdbcClient jdbc;
        private final TicketHolds holds;

        TicketDesk(JdbcClient jdbc, TicketHolds holds) {
            this.jdbc = jdbc;
            this.holds = holds;
        }

        @TccTransactional
        public void sellThroughThis(String flight) {
            holdTicket(flight);
        }

        @TccTransactional
        public void refundThroughThis(String flight) {
            holdTicket(flight);
        }

        @TccTransactional
        public void sellThroughTheProxy(String flight) {
            holds.holdSeat(flight);
        }

        @Try
        public String holdTicket(String flight) {
            String id = UUID.randomUUID().toString();
            jdbc.sql("INSERT INTO ticket_hold (id, flight, state) VALUES (?, ?, 'PENDING')").params(id, flight).update();
            return id;
        }

        @Confirm("holdTicket")
        public void confirmTicket(TccContext context) {
            jdbc.sql("UPDATE ticket_hold SET state = 'CONFIRMED' WHERE id = ?").param(context.tryResult(String.class)).update();
        }

        @Cancel("holdTicket")
        public void releaseTicket(TccContext context) {
            jdbc.sql("UPDATE ticket_hold SET state = 'RELEASED' WHERE id = ?").param(context.tryResult(String.class)).update();
        }
    }

    /** A participant of its own, called through its proxy. */
    static class TicketHolds {
        private final JdbcClient jdbc;

        TicketHolds(JdbcClient jdbc) {
            this.jdbc = jdbc;
        }

        @Try
        public String holdSeat(String flight) {
            String id = UUID.randomUUID().toString();
            jdbc.sql("INSERT INTO ticket_hold (id, flight, state) VALUES (?, ?, 'PENDING')").params(id, flight).update();
            return id;
        }

        @Confirm("holdSeat")
        public void confirmSeat(TccContext context) {
            jdbc.sql("UPDATE ticket_hold SET state = 'CONFIRMED' WHERE id = ?").param(context.tryResult(String.class)).update();
        }

        @Cancel("holdSeat")
        public void releaseSeat(TccContext context) {
            jdbc.sql("UPDATE ticket_hold SET state = 'RELEASED' WHERE id = ?").param(context.tryResult(String.class)).update();
        }
    }
}

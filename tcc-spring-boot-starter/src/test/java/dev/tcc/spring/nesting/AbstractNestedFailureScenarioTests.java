package dev.tcc.spring.nesting;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import dev.tcc.api.Cancel;
import dev.tcc.api.Confirm;
import dev.tcc.api.TccContext;
import dev.tcc.api.TccContextHolder;
import dev.tcc.api.TccTransactional;
import dev.tcc.api.TransactionMarkedCancelOnlyException;
import dev.tcc.api.Try;
import dev.tcc.runtime.TccRuntime;
import dev.tcc.api.operations.TransactionState;
import dev.tcc.runtime.testing.TestDatabases;
import dev.tcc.spring.TccTemplate;
import java.math.BigDecimal;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.context.annotation.Primary;
import org.springframework.core.env.Environment;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.support.JdbcTransactionManager;

/**
 * An exception that escapes a joined {@code @TccTransactional} method or a try marks the global
 * transaction cancel-only, even when an outer method catches it, as {@code @Transactional} marks
 * a transaction rollback-only. Seats on 'flights' (the primary DataSource, with the transaction
 * log), payments on 'payments'; subclasses choose the database product.
 */
@SpringBootTest(classes = AbstractNestedFailureScenarioTests.ShopApplication.class, properties = {
        "tcc.phase-two.asynchronous=false", "tcc.recovery.enabled=false", "tcc.jdbc.initialize-schema=always",
        "spring.main.banner-mode=off"})
abstract class AbstractNestedFailureScenarioTests {

    static final BigDecimal TOTAL = new BigDecimal("420.50");

    @Autowired
    Checkout checkout;

    @Autowired
    TccTemplate tccTemplate;

    @Autowired
    SeatService seats;

    @Autowired
    LoyaltyService loyalty;

    @Autowired
    TccRuntime runtime;

    @Autowired
    @Qualifier("flights")
    DataSource flights;

    @Autowired
    @Qualifier("payments")
    DataSource payments;

    String flight;

    @BeforeEach
    void freshFlight() {
        flight = "F-" + UUID.randomUUID().toString().substring(0, 8);
    }

    @Test
    void anInnerFailureSwallowedByTheOuterMethodCancelsEverythingAndTellsTheCaller() {
        assertThatExceptionOfType(TransactionMarkedCancelOnlyException.class)
                .isThrownBy(() -> checkout.bookIgnoringPointsFailure(flight, "4111-ok"))
                .withCauseInstanceOf(PointsExpiredException.class)
                .withMessageStartingWith("Transaction 'Checkout.bookIgnoringPointsFailure' [")
                .withMessageContaining("was cancelled instead of confirmed: it was marked cancel-only because joined"
                        + " @TccTransactional 'LoyaltyService.payWithPoints' threw [" + PointsExpiredException.class.getName()
                        + ": loyalty points expired]")
                .withMessageContaining("even when it is caught")
                .withMessageContaining("noCancelFor");

        assertThat(seatState(flight)).isEqualTo("RELEASED");
        assertThat(paymentStates(flight)).containsExactly("VOIDED");
        assertThat(runtime.find(seatXid(flight))).hasValueSatisfying(tx -> assertThat(tx.state()).isEqualTo(TransactionState.CANCELLED));
    }

    @Test
    void anInnerFailureListedInTheInnerMethodsNoCancelForDoesNotMarkTheTransaction() {
        checkout.bookIgnoringToleratedPointsFailure(flight, "4111-ok");

        assertThat(seatState(flight)).isEqualTo("CONFIRMED");
        assertThat(paymentStates(flight)).containsExactly("CAPTURED");
    }

    @Test
    void aFailedTrySwallowedByTheInitiatorCancelsTheBranchesTriedBeforeIt() {
        assertThatExceptionOfType(TransactionMarkedCancelOnlyException.class)
                .isThrownBy(() -> checkout.bookIgnoringDeclinedPayment(flight, PaymentService.DECLINED_CARD))
                .withCauseInstanceOf(PaymentDeclinedException.class)
                .withMessageContaining("@Try 'authorize'");

        assertThat(seatState(flight)).isEqualTo("RELEASED");
        assertThat(paymentStates(flight)).isEmpty(); // the failed try rolled back its own row
    }

    @Test
    void aFailedTryWhoseExceptionTheInitiatorListsInNoCancelForLeavesRoomForAFallback() {
        checkout.bookWithBackupCard(flight, PaymentService.DECLINED_CARD, "5500-backup");

        assertThat(seatState(flight)).isEqualTo("CONFIRMED");
        assertThat(paymentStates(flight)).containsExactly("CAPTURED");
        assertThat(cards(flight)).containsExactly("5500-backup");
    }

    @Test
    void anExceptionTheOuterMethodListsInNoCancelForDoesNotConfirmACancelOnlyTransaction() {
        assertThatExceptionOfType(TransactionMarkedCancelOnlyException.class)
                .isThrownBy(() -> checkout.bookWithWarningAfterIgnoredFailure(flight, "4111-ok"))
                .withCauseInstanceOf(PointsExpiredException.class)
                .satisfies(e -> assertThat(e.getSuppressed()).singleElement().isInstanceOf(PartialBookingWarning.class));

        assertThat(seatState(flight)).isEqualTo("RELEASED");
        assertThat(paymentStates(flight)).containsExactly("VOIDED");
    }

    @Test
    void theTemplateFollowsTheSameRuleWhenItsCallbackSwallowsAJoinedFailure() {
        assertThatExceptionOfType(TransactionMarkedCancelOnlyException.class).isThrownBy(() -> tccTemplate.withName("shop")
                        .executeWithoutResult(() -> {
                            seats.holdSeats(flight, 1);
                            try {
                                loyalty.payWithPoints(flight, "4111-ok", TOTAL);
                            } catch (PointsExpiredException swallowedByMistake) {
                                // the booking goes on without the payment
                            }
                        }))
                .withMessageContaining("Transaction 'shop'")
                .withCauseInstanceOf(PointsExpiredException.class);

        assertThat(seatState(flight)).isEqualTo("RELEASED");
        assertThat(paymentStates(flight)).containsExactly("VOIDED");
    }

    @Test
    void aJoinedFailureThatReachesTheOutermostMethodCancelsWithTheOriginalException() {
        assertThatExceptionOfType(PointsExpiredException.class).isThrownBy(() -> checkout.bookLettingFailuresThrough(flight, "4111-ok"));

        assertThat(seatState(flight)).isEqualTo("RELEASED");
        assertThat(paymentStates(flight)).containsExactly("VOIDED");
    }

    private String seatState(String flight) {
        return JdbcClient.create(flights).sql("SELECT state FROM seat_hold WHERE flight = ?").param(flight).query(String.class).single();
    }

    private String seatXid(String flight) {
        return JdbcClient.create(flights).sql("SELECT xid FROM seat_hold WHERE flight = ?").param(flight).query(String.class).single();
    }

    private List<String> paymentStates(String reference) {
        return JdbcClient.create(payments).sql("SELECT state FROM payment WHERE reference = ?").param(reference)
                .query(String.class).list();
    }

    private List<String> cards(String reference) {
        return JdbcClient.create(payments).sql("SELECT card FROM payment WHERE reference = ?").param(reference)
                .query(String.class).list();
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    @Import({SeatService.class, PaymentService.class, LoyaltyService.class, Checkout.class})
    static class ShopApplication {

        private static TestDatabases.Kind kind(Environment environment) {
            return TestDatabases.Kind.valueOf(environment.getRequiredProperty("test.database").toUpperCase(Locale.ROOT));
        }

        @Bean
        @Primary
        DataSource flights(Environment environment) {
            DataSource dataSource = TestDatabases.create(kind(environment), "flights");
            JdbcClient.create(dataSource).sql("CREATE TABLE seat_hold (id VARCHAR(64) PRIMARY KEY, flight VARCHAR(64),"
                    + " seats INT, xid VARCHAR(64), state VARCHAR(16))").update();
            return dataSource;
        }

        @Bean
        DataSource payments(Environment environment) {
            DataSource dataSource = TestDatabases.create(kind(environment), "payments");
            JdbcClient.create(dataSource).sql("CREATE TABLE payment (id VARCHAR(64) PRIMARY KEY, reference VARCHAR(64),"
                    + " card VARCHAR(32), amount DECIMAL(12, 2), state VARCHAR(16))").update();
            return dataSource;
        }

        @Bean
        @Primary
        JdbcTransactionManager transactionManager(@Qualifier("flights") DataSource flights) {
            return new JdbcTransactionManager(flights);
        }

        @Bean
        JdbcTransactionManager paymentsTransactionManager(@Qualifier("payments") DataSource payments) {
            return new JdbcTransactionManager(payments);
        }
    }

    static class SeatService {
        private final JdbcClient jdbc;

        SeatService(JdbcClient jdbc) {
            this.jdbc = jdbc;
        }

        @Try(hold = "15m")
        public String holdSeats(String flight, int seats) {
            String id = UUID.randomUUID().toString();
            jdbc.sql("INSERT INTO seat_hold (id, flight, seats, xid, state) VALUES (?, ?, ?, ?, 'PENDING')")
                    .params(id, flight, seats, TccContextHolder.currentXid().orElseThrow()).update();
            return id;
        }

        @Confirm("holdSeats")
        public void confirmSeats(String flight, int seats, TccContext context) {
            jdbc.sql("UPDATE seat_hold SET state = 'CONFIRMED' WHERE id = ?").param(context.tryResult(String.class)).update();
        }

        @Cancel("holdSeats")
        public void releaseSeats(TccContext context) {
            jdbc.sql("UPDATE seat_hold SET state = 'RELEASED' WHERE id = ?").param(context.tryResult(String.class)).update();
        }
    }

    record Authorization(String id, String card) {
    }

    static class PaymentService {
        static final String DECLINED_CARD = "4000-declined";

        private final JdbcClient jdbc;

        PaymentService(@Qualifier("payments") DataSource payments) {
            this.jdbc = JdbcClient.create(payments);
        }

        @Try(transactionManager = "paymentsTransactionManager")
        public Authorization authorize(String reference, String card, BigDecimal amount) {
            String id = UUID.randomUUID().toString();
            jdbc.sql("INSERT INTO payment (id, reference, card, amount, state) VALUES (?, ?, ?, ?, 'AUTHORIZED')")
                    .params(id, reference, card, amount).update();
            if (DECLINED_CARD.equals(card)) {
                throw new PaymentDeclinedException(card);
            }
            return new Authorization(id, card);
        }

        @Confirm("authorize")
        public void capture(TccContext context) {
            jdbc.sql("UPDATE payment SET state = 'CAPTURED' WHERE id = ?").param(context.tryResult(Authorization.class).id()).update();
        }

        @Cancel("authorize")
        public void voidAuthorization(TccContext context) {
            jdbc.sql("UPDATE payment SET state = 'VOIDED' WHERE id = ?").param(context.tryResult(Authorization.class).id()).update();
        }
    }

    /** Joined by the checkout: authorizes, then finds the points expired. */
    static class LoyaltyService {
        private final PaymentService payments;

        LoyaltyService(PaymentService payments) {
            this.payments = payments;
        }

        @TccTransactional
        public void payWithPoints(String reference, String card, BigDecimal amount) {
            payments.authorize(reference, card, amount);
            throw new PointsExpiredException();
        }

        @TccTransactional(noCancelFor = PointsExpiredException.class)
        public void payWithPointsIfValid(String reference, String card, BigDecimal amount) {
            payments.authorize(reference, card, amount);
            throw new PointsExpiredException();
        }
    }

    static class Checkout {
        private final SeatService seats;
        private final PaymentService payments;
        private final LoyaltyService loyalty;

        Checkout(SeatService seats, PaymentService payments, LoyaltyService loyalty) {
            this.seats = seats;
            this.payments = payments;
            this.loyalty = loyalty;
        }

        @TccTransactional
        public void bookIgnoringPointsFailure(String flight, String card) {
            seats.holdSeats(flight, 2);
            try {
                loyalty.payWithPoints(flight, card, TOTAL);
            } catch (PointsExpiredException swallowedByMistake) {
                // "the points are a bonus": the booking goes on
            }
        }

        @TccTransactional
        public void bookIgnoringToleratedPointsFailure(String flight, String card) {
            seats.holdSeats(flight, 2);
            try {
                loyalty.payWithPointsIfValid(flight, card, TOTAL);
            } catch (PointsExpiredException tolerated) {
                // the inner method declared it harmless with noCancelFor
            }
        }

        @TccTransactional
        public void bookIgnoringDeclinedPayment(String flight, String card) {
            seats.holdSeats(flight, 2);
            try {
                payments.authorize(flight, card, TOTAL);
            } catch (PaymentDeclinedException swallowedByMistake) {
                // logged and forgotten
            }
        }

        @TccTransactional(noCancelFor = PaymentDeclinedException.class)
        public void bookWithBackupCard(String flight, String card, String backupCard) {
            seats.holdSeats(flight, 2);
            try {
                payments.authorize(flight, card, TOTAL);
            } catch (PaymentDeclinedException declined) {
                payments.authorize(flight, backupCard, TOTAL);
            }
        }

        @TccTransactional(noCancelFor = PartialBookingWarning.class)
        public void bookWithWarningAfterIgnoredFailure(String flight, String card) {
            seats.holdSeats(flight, 2);
            try {
                loyalty.payWithPoints(flight, card, TOTAL);
            } catch (PointsExpiredException swallowedByMistake) {
                // goes on
            }
            throw new PartialBookingWarning();
        }

        @TccTransactional
        public void bookLettingFailuresThrough(String flight, String card) {
            seats.holdSeats(flight, 2);
            loyalty.payWithPoints(flight, card, TOTAL);
        }
    }

    static class PointsExpiredException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        PointsExpiredException() {
            super("loyalty points expired");
        }
    }

    static class PaymentDeclinedException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        PaymentDeclinedException(String card) {
            super("card [" + card + "] declined");
        }
    }

    static class PartialBookingWarning extends RuntimeException {
        private static final long serialVersionUID = 1L;

        PartialBookingWarning() {
            super("booked, but without the loyalty discount");
        }
    }
}

package dev.tcc.spring.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tcc.api.Cancel;
import dev.tcc.api.Confirm;
import dev.tcc.api.NoTccTransactionException;
import dev.tcc.api.TccContext;
import dev.tcc.api.TccTransactional;
import dev.tcc.api.Try;
import dev.tcc.runtime.TccRuntime;
import dev.tcc.api.operations.TransactionState;
import dev.tcc.spring.TccTemplate;
import dev.tcc.runtime.testing.TestDatabases;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;
import org.springframework.aop.support.AopUtils;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.context.annotation.Primary;
import org.springframework.core.env.Environment;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.support.JdbcTransactionManager;

/**
 * The annotation scenarios through real proxied beans, on two participant databases: seats on
 * 'flights' (the primary DataSource, which also holds the transaction log) and rooms on 'hotels'
 * (named by {@code @Try(transactionManager = "hotelsTransactionManager")}). Subclasses choose
 * the database product; each test class gets fresh databases.
 */
@SpringBootTest(classes = AbstractTccScenarioTests.ScenarioApplication.class, properties = {
        "tcc.phase-two.asynchronous=false", "tcc.recovery.enabled=false", "tcc.jdbc.initialize-schema=always",
        "spring.main.banner-mode=off"})
abstract class AbstractTccScenarioTests {

    @Autowired
    BookingService booking;

    @Autowired
    SeatService seats;

    @Autowired
    Journal journal;

    @Autowired
    TccTemplate tccTemplate;

    @Autowired
    TccRuntime runtime;

    @Autowired
    @Qualifier("flights")
    DataSource flights;

    @Autowired
    @Qualifier("hotels")
    DataSource hotels;

    String flight;

    String hotel;

    @BeforeEach
    void freshNames() {
        journal.clear();
        flight = "F-" + UUID.randomUUID().toString().substring(0, 8);
        hotel = "H-" + UUID.randomUUID().toString().substring(0, 8);
    }

    @Test
    void theAnnotatedBeansAreProxied() {
        assertThat(AopUtils.isAopProxy(booking)).isTrue();
        assertThat(AopUtils.isAopProxy(seats)).isTrue();
    }

    @Test
    void whenTheInitiatorReturnsEveryBranchIsConfirmedOnItsOwnDatabase() {
        String xid = booking.book(flight, hotel);

        assertThat(seatState(flight)).isEqualTo("CONFIRMED");
        assertThat(roomState(hotel)).isEqualTo("CONFIRMED");
        assertThat(journal.entries()).containsExactly("try:holdSeats", "try:holdRooms", "confirm:holdSeats", "confirm:holdRooms");
        assertThat(runtime.find(xid)).hasValueSatisfying(tx -> {
            assertThat(tx.state()).isEqualTo(TransactionState.CONFIRMED);
            assertThat(tx.name()).isEqualTo("BookingService.book");
            assertThat(tx.branches()).hasSize(2);
        });
    }

    @Test
    void eachParticipantsBarrierRowCommitsOnItsOwnDatabase() {
        String xid = booking.book(flight, hotel);

        assertThat(barrierActions(flights, xid)).containsExactly("holdSeats");
        assertThat(barrierActions(hotels, xid)).containsExactly("holdRooms");
    }

    @Test
    void whenTheInitiatorThrowsTheCallerGetsTheOriginalExceptionAndBranchesAreCancelledInReverseOrder() {
        IllegalStateException declined = new IllegalStateException("payment declined");

        assertThatThrownBy(() -> booking.bookAndFail(flight, hotel, declined)).isSameAs(declined);

        assertThat(seatState(flight)).isEqualTo("RELEASED");
        assertThat(roomState(hotel)).isEqualTo("RELEASED");
        assertThat(journal.entries()).containsExactly("try:holdSeats", "try:holdRooms", "cancel:holdRooms", "cancel:holdSeats");
        assertThat(runtime.find(journal.xid())).hasValueSatisfying(tx -> assertThat(tx.state()).isEqualTo(TransactionState.CANCELLED));
    }

    @Test
    void whenATryFailsItsBusinessRowAndBarrierRowRollBackAndTheBranchesBeforeItAreCancelled() {
        assertThatThrownBy(() -> booking.book(flight, RoomService.FULL_HOTEL)).hasMessageContaining("no rooms");

        assertThat(seatState(flight)).isEqualTo("RELEASED");
        assertThat(count(hotels, "SELECT COUNT(*) FROM room_hold WHERE hotel = '" + RoomService.FULL_HOTEL + "'")).isZero();
        assertThat(barrierActions(hotels, journal.xid())).isEmpty();
        assertThat(journal.entries()).containsExactly("try:holdSeats", "try:holdRooms", "cancel:holdSeats");
    }

    @Test
    void aNestedTccTransactionalMethodJoinsTheOuterTransaction() {
        String outerXid = booking.bookNested(flight, hotel, null);

        assertThat(journal.xids()).containsOnly(outerXid);
        assertThat(seatState(flight)).isEqualTo("CONFIRMED");
        assertThat(roomState(hotel)).isEqualTo("CONFIRMED");
        assertThat(runtime.find(outerXid)).hasValueSatisfying(tx -> assertThat(tx.branches()).hasSize(2));
    }

    @Test
    void whenTheOuterMethodThrowsAfterANestedOneReturnedTheNestedBranchesAreCancelledToo() {
        assertThatThrownBy(() -> booking.bookNested(flight, hotel, new IllegalStateException("late failure")))
                .hasMessage("late failure");

        assertThat(seatState(flight)).isEqualTo("RELEASED");
        assertThat(roomState(hotel)).isEqualTo("RELEASED");
    }

    @Test
    void anExceptionListedInNoCancelForConfirmsAndReachesTheCaller() {
        assertThatExceptionOfType(PartialBookingWarning.class).isThrownBy(() -> booking.bookWithWarning(flight, hotel));

        assertThat(seatState(flight)).isEqualTo("CONFIRMED");
        assertThat(roomState(hotel)).isEqualTo("CONFIRMED");
    }

    @Test
    void aTryCalledOutsideATransactionFailsAndDoesNotRun() {
        assertThatExceptionOfType(NoTccTransactionException.class).isThrownBy(() -> seats.holdSeats(flight, 2))
                .withMessageContaining("'holdSeats'").withMessageContaining("@TccTransactional");

        assertThat(journal.entries()).isEmpty();
        assertThat(count(flights, "SELECT COUNT(*) FROM seat_hold WHERE flight = '" + flight + "'")).isZero();
    }

    @Test
    void theTemplateRunsTriesAsOneTransaction() {
        String xid = tccTemplate.withName("templateBooking").execute(() -> {
            seats.holdSeats(flight, 1);
            return MDC.get("tcc.xid");
        });

        assertThat(seatState(flight)).isEqualTo("CONFIRMED");
        assertThat(runtime.find(xid)).hasValueSatisfying(tx -> assertThat(tx.name()).isEqualTo("templateBooking"));
    }

    @Test
    void theTemplateCancelsWhenTheCallbackThrows() {
        IllegalArgumentException failure = new IllegalArgumentException("changed my mind");

        assertThatThrownBy(() -> tccTemplate.execute(() -> {
            seats.holdSeats(flight, 1);
            throw failure;
        })).isSameAs(failure);

        assertThat(seatState(flight)).isEqualTo("RELEASED");
    }

    /** A business failure a service declares, as users write them. */
    static class PaymentDeclinedException extends Exception {
        PaymentDeclinedException(String message) {
            super(message);
        }
    }

    @Test
    void executeCheckedHandsACheckedExceptionBackUnwrappedAndCancels() {
        PaymentDeclinedException declined = new PaymentDeclinedException("card declined");

        assertThatThrownBy(() -> tccTemplate.executeChecked(() -> {
            seats.holdSeats(flight, 1);
            throw declined;
        })).isSameAs(declined);

        assertThat(seatState(flight)).isEqualTo("RELEASED");
    }

    @Test
    void executeWrapsACheckedExceptionAsTransactionTemplateDoes() {
        PaymentDeclinedException declined = new PaymentDeclinedException("card declined");

        assertThatThrownBy(() -> tccTemplate.execute(() -> {
            seats.holdSeats(flight, 1);
            throw declined;
        })).isInstanceOf(java.lang.reflect.UndeclaredThrowableException.class).hasCause(declined);

        assertThat(seatState(flight)).isEqualTo("RELEASED");
    }

    @Test
    void confirmAndCancelSeeTheTryResultAndTheContext() {
        String xid = booking.book(flight, hotel);

        assertThat(journal.contexts()).singleElement().satisfies(context -> {
            assertThat(context).startsWith(xid + ":1:holdSeats:");
            assertThat(context).endsWith(":" + xid + ":1");
        });
    }

    private String seatState(String flight) {
        return new JdbcTemplate(flights).queryForObject("SELECT state FROM seat_hold WHERE flight = ?", String.class, flight);
    }

    private String roomState(String hotel) {
        return new JdbcTemplate(hotels).queryForObject("SELECT state FROM room_hold WHERE hotel = ?", String.class, hotel);
    }

    private static List<String> barrierActions(DataSource dataSource, String xid) {
        return new JdbcTemplate(dataSource).queryForList("SELECT action FROM tcc_barrier WHERE xid = ? ORDER BY branch_id",
                String.class, xid);
    }

    private static long count(DataSource dataSource, String sql) {
        return new JdbcTemplate(dataSource).queryForObject(sql, Long.class);
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    @Import({Journal.class, SeatService.class, RoomService.class, BookingService.class, FlightOnlyService.class})
    static class ScenarioApplication {

        /** {@code test.database} is {@code h2} or {@code postgresql}. */
        private static TestDatabases.Kind kind(Environment environment) {
            return TestDatabases.Kind.valueOf(environment.getRequiredProperty("test.database").toUpperCase(java.util.Locale.ROOT));
        }

        @Bean
        @Primary
        DataSource flights(Environment environment) {
            DataSource dataSource = TestDatabases.create(kind(environment), "flights");
            new JdbcTemplate(dataSource).execute("CREATE TABLE seat_hold (id VARCHAR(64) PRIMARY KEY, flight VARCHAR(64),"
                    + " seats INT, state VARCHAR(16))");
            return dataSource;
        }

        @Bean
        DataSource hotels(Environment environment) {
            DataSource dataSource = TestDatabases.create(kind(environment), "hotels");
            new JdbcTemplate(dataSource).execute("CREATE TABLE room_hold (id VARCHAR(64) PRIMARY KEY, hotel VARCHAR(64),"
                    + " nights INT, state VARCHAR(16))");
            return dataSource;
        }

        @Bean
        @Primary
        JdbcTransactionManager transactionManager(@Qualifier("flights") DataSource flights) {
            return new JdbcTransactionManager(flights);
        }

        @Bean
        JdbcTransactionManager hotelsTransactionManager(@Qualifier("hotels") DataSource hotels) {
            return new JdbcTransactionManager(hotels);
        }
    }

    /** What ran, in order, and under which xid. */
    static class Journal {
        private final List<String> entries = new CopyOnWriteArrayList<>();
        private final List<String> xids = new CopyOnWriteArrayList<>();
        private final List<String> contexts = new CopyOnWriteArrayList<>();

        void add(String entry) {
            entries.add(entry);
            String xid = MDC.get("tcc.xid");
            if (xid != null) {
                xids.add(xid);
            }
        }

        void clear() {
            entries.clear();
            xids.clear();
            contexts.clear();
        }

        List<String> entries() {
            return List.copyOf(entries);
        }

        List<String> xids() {
            return List.copyOf(xids);
        }

        String xid() {
            return xids.get(0);
        }

        List<String> contexts() {
            return List.copyOf(contexts);
        }
    }

    static class SeatService {
        private final JdbcTemplate jdbc;
        private final Journal journal;

        SeatService(JdbcTemplate jdbc, Journal journal) {
            this.jdbc = jdbc;
            this.journal = journal;
        }

        @Try(hold = "15m")
        public String holdSeats(String flight, int seats) {
            String id = UUID.randomUUID().toString();
            jdbc.update("INSERT INTO seat_hold (id, flight, seats, state) VALUES (?, ?, ?, 'PENDING')", id, flight, seats);
            journal.add("try:holdSeats");
            return id;
        }

        @Confirm("holdSeats")
        public void confirmSeats(String flight, int seats, TccContext context) {
            String id = context.tryResult(String.class);
            jdbc.update("UPDATE seat_hold SET state = 'CONFIRMED' WHERE id = ?", id);
            journal.add("confirm:holdSeats");
            journal.contexts.add(context.xid() + ":" + context.branchId() + ":" + context.action() + ":" + id + ":"
                    + context.idempotencyKey());
        }

        @Cancel("holdSeats")
        public void releaseSeats(TccContext context) {
            jdbc.update("UPDATE seat_hold SET state = 'RELEASED' WHERE id = ?", context.tryResult(String.class));
            journal.add("cancel:holdSeats");
        }
    }

    static class RoomService {
        static final String FULL_HOTEL = "FULL";

        private final JdbcTemplate jdbc;
        private final Journal journal;

        RoomService(@Qualifier("hotels") DataSource hotels, Journal journal) {
            this.jdbc = new JdbcTemplate(hotels);
            this.journal = journal;
        }

        @Try(transactionManager = "hotelsTransactionManager")
        public String holdRooms(String hotel, int nights) {
            String id = UUID.randomUUID().toString();
            jdbc.update("INSERT INTO room_hold (id, hotel, nights, state) VALUES (?, ?, ?, 'PENDING')", id, hotel, nights);
            journal.add("try:holdRooms");
            if (FULL_HOTEL.equals(hotel)) {
                throw new IllegalStateException("Hotel '" + hotel + "' has no rooms left");
            }
            return id;
        }

        @Confirm("holdRooms")
        public void confirmRooms(String hotel, int nights) {
            jdbc.update("UPDATE room_hold SET state = 'CONFIRMED' WHERE hotel = ?", hotel);
            journal.add("confirm:holdRooms");
        }

        @Cancel("holdRooms")
        public void releaseRooms(String hotel, int nights, TccContext context) {
            jdbc.update("UPDATE room_hold SET state = 'RELEASED' WHERE hotel = ?", hotel);
            journal.add("cancel:holdRooms");
        }
    }

    static class FlightOnlyService {
        private final SeatService seats;

        FlightOnlyService(SeatService seats) {
            this.seats = seats;
        }

        @TccTransactional
        public String holdFlight(String flight) {
            seats.holdSeats(flight, 1);
            return MDC.get("tcc.xid");
        }
    }

    static class BookingService {
        private final SeatService seats;
        private final RoomService rooms;
        private final FlightOnlyService flightOnly;
        private final Journal journal;

        BookingService(SeatService seats, RoomService rooms, FlightOnlyService flightOnly, Journal journal) {
            this.seats = seats;
            this.rooms = rooms;
            this.flightOnly = flightOnly;
            this.journal = journal;
        }

        @TccTransactional(timeout = "10s")
        public String book(String flight, String hotel) {
            seats.holdSeats(flight, 2);
            rooms.holdRooms(hotel, 3);
            return MDC.get("tcc.xid");
        }

        @TccTransactional
        public void bookAndFail(String flight, String hotel, RuntimeException failure) {
            seats.holdSeats(flight, 2);
            rooms.holdRooms(hotel, 3);
            throw failure;
        }

        @TccTransactional(noCancelFor = PartialBookingWarning.class)
        public void bookWithWarning(String flight, String hotel) {
            seats.holdSeats(flight, 2);
            rooms.holdRooms(hotel, 3);
            throw new PartialBookingWarning();
        }

        @TccTransactional
        public String bookNested(String flight, String hotel, RuntimeException failure) {
            String innerXid = flightOnly.holdFlight(flight);
            rooms.holdRooms(hotel, 1);
            journal.add("outer");
            if (failure != null) {
                throw failure;
            }
            if (!innerXid.equals(MDC.get("tcc.xid"))) {
                throw new AssertionError("the nested method ran in [" + innerXid + "], not in the outer transaction");
            }
            return innerXid;
        }
    }

    static class PartialBookingWarning extends RuntimeException {
        private static final long serialVersionUID = 1L;

        PartialBookingWarning() {
            super("booked, but without the preferred seats");
        }
    }
}

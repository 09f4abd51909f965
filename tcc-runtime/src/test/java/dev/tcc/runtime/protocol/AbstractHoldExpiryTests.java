package dev.tcc.runtime.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import dev.tcc.api.TransactionLogException;
import dev.tcc.runtime.TccRuntime;
import dev.tcc.runtime.model.TccSettings;
import dev.tcc.runtime.plain.TccAction;
import dev.tcc.runtime.recovery.RecoveryPass;
import dev.tcc.runtime.testing.InterceptingDataSource;
import dev.tcc.runtime.testing.MutableClock;
import dev.tcc.runtime.testing.TestDatabases;
import dev.tcc.spi.CoordinatorUnreachableException;
import dev.tcc.spi.Decision;
import dev.tcc.spi.DecisionSource;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLTransactionRollbackException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Hold expiry when things go wrong: a coordinator whose question fails in every way, a transaction
 * log that is down, and barrier rows of actions this instance does not know. Written once, run
 * against H2 and PostgreSQL.
 */
abstract class AbstractHoldExpiryTests {

    record Request(long amount) {
    }

    record Receipt(String reference, long amount) {
    }

    private final List<HikariDataSource> dataSources = new ArrayList<>();
    private final List<TccRuntime> runtimes = new ArrayList<>();
    final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T10:00:00Z"));
    final AtomicReference<Exception> questionFailure = new AtomicReference<>();
    final AtomicReference<Decision> answer = new AtomicReference<>(Decision.CANCEL);
    final AtomicInteger questions = new AtomicInteger();
    Ledger seats;
    HikariDataSource seatsDb;
    InterceptingDataSource logSeenByTcc;

    /** The coordinator as a participant in another process sees it: a question that may fail. */
    final DecisionSource coordinator = new DecisionSource() {
        @Override
        public Decision read(String xid) {
            return Decision.UNDECIDED;
        }

        @Override
        public Decision decideCancelUnlessConfirmed(String xid, int branchId) throws Exception {
            questions.incrementAndGet();
            Exception failure = questionFailure.get();
            if (failure != null) {
                throw failure;
            }
            return answer.get();
        }
    };

    abstract TestDatabases.Kind kind();

    @BeforeEach
    void setUp() {
        seatsDb = database("seats");
        seats = new Ledger(seatsDb);
        logSeenByTcc = new InterceptingDataSource(database("log"));
    }

    @AfterEach
    void tearDown() {
        runtimes.forEach(TccRuntime::close);
        dataSources.forEach(HikariDataSource::close);
    }

    HikariDataSource database(String name) {
        HikariDataSource ds = TestDatabases.create(kind(), name);
        dataSources.add(ds);
        return ds;
    }

    TccRuntime runtime(TccSettings settings, DecisionSource decisionSource) {
        TccRuntime runtime = TccRuntime.builder().transactionLog(logSeenByTcc.dataSource()).initializeSchema(true)
                .settings(settings).clock(clock).random(new Random(3)).instanceId("expiry-" + runtimes.size())
                .decisionSource(decisionSource).build();
        runtimes.add(runtime);
        return runtime;
    }

    TccAction<Request, Receipt> action(TccRuntime runtime, String name) {
        return runtime.action(name, Request.class, Receipt.class)
                .database("seats-db", seatsDb)
                .hold(Duration.ofMinutes(1))
                .onTry((c, r, ctx) -> {
                    Ledger.hold(c, ctx.xid(), name, r.amount());
                    return new Receipt(name, r.amount());
                })
                .onConfirm((c, r, ctx) -> Ledger.settle(c, ctx.xid(), name, "CONFIRM", "CONFIRMED"))
                .onCancel((c, r, ctx) -> Ledger.settle(c, ctx.xid(), name, "CANCEL", "RELEASED"))
                .register();
    }

    /** A try whose initiator is gone: the barrier row stays TRIED until hold expiry finishes it. */
    String tryAlone(TccRuntime runtime, String action, Duration hold) throws Exception {
        String xid = action + "-" + System.nanoTime();
        Instant deadline = clock.instant().plus(hold);
        runtime.participant(action).tryBranch(xid, 1, deadline, deadline, new Object[] {new Request(1)}, ctx -> {
            var runner = (dev.tcc.runtime.jdbc.JdbcLocalTransactionRunner) runtime.participant(action).database().runner();
            Ledger.hold(runner.currentConnection(), xid, action, 1);
            return new Receipt(action, 1);
        });
        return xid;
    }

    // ---------------------------------------------------------------- c: only an unreachable coordinator lets a hold expire alone

    static Stream<Arguments> failuresOfACoordinatorThatAnswers() {
        return Stream.of(
                Arguments.of("lock timeout", new TransactionLogException("Could not decide cancel",
                        new SQLException("canceling statement due to lock timeout", "55P03"))),
                Arguments.of("serialization failure", new TransactionLogException("Could not decide cancel",
                        new SQLTransactionRollbackException("could not serialize access", "40001"))),
                Arguments.of("pool timeout", new TransactionLogException("Could not decide cancel",
                        new SQLTransientConnectionException("tcc-log - Connection is not available, request timed out after 30000ms"))),
                Arguments.of("any other error", new IllegalStateException("HTTP 503 from the coordinator")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("failuresOfACoordinatorThatAnswers")
    void aQuestionThatFailsWithoutTheCoordinatorBeingUnreachableNeverExpiresTheHold(String kind, Exception failure)
            throws Exception {
        TccRuntime runtime = runtime(TccSettings.builder().coordinatorUnreachableAfter(Duration.ofMinutes(1)).build(), coordinator);
        action(runtime, "holdSeats");
        String xid = tryAlone(runtime, "holdSeats", Duration.ofMinutes(1));
        questionFailure.set(failure);

        for (int pass = 0; pass < 5; pass++) {
            clock.advance(Duration.ofMinutes(30)); // far past the hold, the grace and the unreachable window
            assertThat(runtime.holdExpiry().runOnce()).isZero();
        }

        assertThat(questions.get()).isEqualTo(5);
        assertThat(seats.barrierState(xid, 1)).isEqualTo("TRIED");
        assertThat(seats.holdState(xid, "holdSeats")).isEqualTo("PENDING");

        // the coordinator had decided confirm all along: once it answers, the hold is confirmed, not HEURISTIC
        questionFailure.set(null);
        answer.set(Decision.CONFIRM);
        assertThat(runtime.holdExpiry().runOnce()).isEqualTo(1);
        assertThat(seats.holdState(xid, "holdSeats")).isEqualTo("CONFIRMED");
        assertThat(seats.runs(xid, "holdSeats", "CANCEL")).isZero();
    }

    @Test
    void anUnreachableCoordinatorLetsAnExpiredHoldGoOnlyAfterTheConfiguredTimeOfTrying() throws Exception {
        TccRuntime runtime = runtime(TccSettings.builder().coordinatorUnreachableAfter(Duration.ofMinutes(1)).build(), coordinator);
        action(runtime, "holdSeats");
        String xid = tryAlone(runtime, "holdSeats", Duration.ofMinutes(1));
        questionFailure.set(new CoordinatorUnreachableException("connection refused", null));

        clock.advance(Duration.ofMinutes(2)); // past the hold and the grace: the first failed question starts the clock
        assertThat(runtime.holdExpiry().runOnce()).isZero();
        clock.advance(Duration.ofSeconds(59));
        assertThat(runtime.holdExpiry().runOnce()).isZero();
        assertThat(seats.barrierState(xid, 1)).isEqualTo("TRIED");

        clock.advance(Duration.ofSeconds(1)); // a minute of trying
        assertThat(runtime.holdExpiry().runOnce()).isEqualTo(1);

        assertThat(seats.barrierState(xid, 1)).isEqualTo("CANCELLED");
        assertThat(seats.holdState(xid, "holdSeats")).isEqualTo("RELEASED");
        assertThat(questions.get()).isEqualTo(3);
    }

    @Test
    void aCoordinatorThatAnswersInBetweenRestartsTheTimeOfTrying() throws Exception {
        TccRuntime runtime = runtime(TccSettings.builder().coordinatorUnreachableAfter(Duration.ofMinutes(1)).build(), coordinator);
        action(runtime, "holdSeats");
        String xid = tryAlone(runtime, "holdSeats", Duration.ofMinutes(1));
        clock.advance(Duration.ofMinutes(2));

        questionFailure.set(new CoordinatorUnreachableException("connection refused", null));
        runtime.holdExpiry().runOnce();
        clock.advance(Duration.ofSeconds(40));
        questionFailure.set(new TransactionLogException("lock timeout", new SQLException("lock timeout", "55P03")));
        runtime.holdExpiry().runOnce(); // it answered: reachable after all
        clock.advance(Duration.ofSeconds(40));
        questionFailure.set(new CoordinatorUnreachableException("connection refused", null));
        assertThat(runtime.holdExpiry().runOnce()).isZero(); // 80 s since the first failure, but only 0 s unreachable

        assertThat(seats.barrierState(xid, 1)).isEqualTo("TRIED");
        clock.advance(Duration.ofMinutes(1));
        assertThat(runtime.holdExpiry().runOnce()).isEqualTo(1);
        assertThat(seats.barrierState(xid, 1)).isEqualTo("CANCELLED");
    }

    @Test
    void theLocalCoordinatorCountsOnlyAConnectionFailureAsUnreachable() throws Exception {
        TccRuntime runtime = runtime(TccSettings.defaults(), null);
        DecisionSource local = runtime.decisionSource();

        logSeenByTcc.failWith(new SQLNonTransientConnectionException("Connection to 127.0.0.1:5432 refused", "08001"));
        assertThatThrownBy(() -> local.decideCancelUnlessConfirmed("x1", 1)).isInstanceOf(CoordinatorUnreachableException.class)
                .hasMessageContaining("cannot be reached");
        // a pool that gave up opening connections to a dead server carries the driver's 08 failure
        logSeenByTcc.failWith(new SQLTransientConnectionException("tcc-log - Connection is not available, request timed out",
                "08001", new SQLException("Connection refused", "08001")));
        assertThatThrownBy(() -> local.decideCancelUnlessConfirmed("x2", 1)).isInstanceOf(CoordinatorUnreachableException.class);

        // a pool whose connections are all busy: the database answers, the question is asked again later
        logSeenByTcc.failWith(new SQLTransientConnectionException("tcc-log - Connection is not available, request timed out"));
        assertThatThrownBy(() -> local.decideCancelUnlessConfirmed("x3", 1)).isInstanceOf(TransactionLogException.class);
        logSeenByTcc.failWith(new SQLException("deadlock detected", "40P01"));
        assertThatThrownBy(() -> local.decideCancelUnlessConfirmed("x4", 1)).isInstanceOf(TransactionLogException.class);

        logSeenByTcc.failWith(null);
        assertThat(local.decideCancelUnlessConfirmed("x5", 1)).isEqualTo(Decision.CANCEL);
    }

    // ---------------------------------------------------------------- d: each recovery pass on its own

    @Test
    void whenTheTransactionLogIsDownHoldExpiryStillRunsAndEveryFailingPassIsCounted() throws Exception {
        TccRuntime runtime = runtime(TccSettings.builder().coordinatorUnreachableAfter(Duration.ZERO).build(), null);
        action(runtime, "holdSeats");
        String xid = tryAlone(runtime, "holdSeats", Duration.ofMinutes(1));
        clock.advance(Duration.ofMinutes(2));
        logSeenByTcc.failWith(new SQLNonTransientConnectionException("Connection to the log refused", "08001"));

        runtime.recoverOnce();

        assertThat(runtime.recoveryFailures(RecoveryPass.COORDINATOR_RECOVERY)).isEqualTo(1);
        assertThat(runtime.recoveryFailures(RecoveryPass.RETENTION)).isEqualTo(1);
        assertThat(runtime.recoveryFailures(RecoveryPass.HOLD_EXPIRY)).isZero();
        // hold expiry asked the (unreachable) coordinator and, past the window, released the hold alone
        assertThat(seats.barrierState(xid, 1)).isEqualTo("CANCELLED");
        assertThat(seats.holdState(xid, "holdSeats")).isEqualTo("RELEASED");

        logSeenByTcc.failWith(null);
        runtime.recoverOnce();
        assertThat(runtime.recoveryFailures(RecoveryPass.COORDINATOR_RECOVERY)).isEqualTo(1);
    }

    @Test
    void aParticipantDatabaseThatIsDownDoesNotStopHoldExpiryOnTheOthers() throws Exception {
        TccRuntime runtime = runtime(TccSettings.defaults(), coordinator);
        InterceptingDataSource roomsDb = new InterceptingDataSource(database("rooms"));
        runtime.action("holdRooms", Request.class, Receipt.class).database("rooms-db", roomsDb.dataSource())
                .onTry((c, r, ctx) -> new Receipt("room", 1)).onConfirm((c, r, ctx) -> { }).onCancel((c, r, ctx) -> { })
                .register();
        action(runtime, "holdSeats");
        String room = "room-" + System.nanoTime();
        Instant deadline = clock.instant().plus(Duration.ofMinutes(1));
        runtime.participant("holdRooms").tryBranch(room, 1, deadline, deadline, new Object[] {new Request(1)},
                ctx -> new Receipt("room", 1));
        String seat = tryAlone(runtime, "holdSeats", Duration.ofMinutes(1));
        clock.advance(Duration.ofMinutes(5));
        roomsDb.failWith(new SQLNonTransientConnectionException("rooms database down", "08001"));

        assertThat(runtime.recoverOnce()).isEqualTo(1);

        assertThat(seats.barrierState(seat, 1)).isEqualTo("CANCELLED");
        assertThat(runtime.recoveryFailures(RecoveryPass.HOLD_EXPIRY)).isZero();
        roomsDb.failWith(null);
        assertThat(runtime.holdExpiry().runOnce()).isEqualTo(1); // the rooms hold, once its database is back
    }

    // ---------------------------------------------------------------- f: rows of unknown actions

    @Test
    void holdsWhoseCancelKeepsFailingDoNotKeepTheHoldsBehindThemFromExpiring() throws Exception {
        TccRuntime runtime = runtime(TccSettings.builder().recoveryBatchSize(2).build(), coordinator);
        runtime.action("holdBroken", Request.class, Receipt.class)
                .database("seats-db", seatsDb)
                .hold(Duration.ofMinutes(1))
                .onTry((c, r, ctx) -> new Receipt("holdBroken", r.amount()))
                .onConfirm((c, r, ctx) -> { })
                .onCancel((c, r, ctx) -> {
                    throw new IllegalStateException("the release service is down");
                })
                .register();
        action(runtime, "holdSeats");
        String broken1 = tryAlone(runtime, "holdBroken", Duration.ofSeconds(30)); // due first, a whole batch of them
        String broken2 = tryAlone(runtime, "holdBroken", Duration.ofSeconds(30));
        String seat = tryAlone(runtime, "holdSeats", Duration.ofMinutes(1));
        clock.advance(Duration.ofMinutes(5));

        assertThat(runtime.holdExpiry().runOnce()).isZero(); // the two broken ones fill the batch
        assertThat(runtime.holdExpiry().runOnce()).isEqualTo(1); // the next pass goes on behind them

        assertThat(seats.barrierState(seat, 1)).isEqualTo("CANCELLED");
        assertThat(seats.holdState(seat, "holdSeats")).isEqualTo("RELEASED");
        assertThat(seats.barrierState(broken1, 1)).isEqualTo("TRIED");
        assertThat(seats.barrierState(broken2, 1)).isEqualTo("TRIED");
        int asked = questions.get();
        runtime.holdExpiry().runOnce(); // after a short page it starts again from the front
        assertThat(questions.get()).isEqualTo(asked + 2);
    }

    @Test
    void holdsOfActionsThisInstanceDoesNotKnowDoNotKeepItsOwnHoldsFromExpiring() throws Exception {
        // another service shares the seats database; its holds expire first and fill a whole batch
        TccRuntime otherService = runtime(TccSettings.defaults(), coordinator);
        action(otherService, "holdLounge");
        String lounge1 = tryAlone(otherService, "holdLounge", Duration.ofSeconds(30));
        String lounge2 = tryAlone(otherService, "holdLounge", Duration.ofSeconds(30));
        TccRuntime runtime = runtime(TccSettings.builder().recoveryBatchSize(2).build(), coordinator);
        action(runtime, "holdSeats");
        String seat = tryAlone(runtime, "holdSeats", Duration.ofMinutes(1));
        clock.advance(Duration.ofMinutes(5));

        assertThat(runtime.holdExpiry().runOnce()).isEqualTo(1);

        assertThat(seats.barrierState(seat, 1)).isEqualTo("CANCELLED");
        assertThat(seats.holdState(seat, "holdSeats")).isEqualTo("RELEASED");
        assertThat(seats.barrierState(lounge1, 1)).isEqualTo("TRIED"); // left for the service that knows them
        assertThat(seats.barrierState(lounge2, 1)).isEqualTo("TRIED");
        assertThat(otherService.holdExpiry().runOnce()).isEqualTo(2);
    }
}

package dev.tcc.runtime.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import dev.tcc.api.ArgumentEncodingException;
import dev.tcc.api.NoTccTransactionException;
import dev.tcc.api.TransactionCancelledException;
import dev.tcc.api.TryRefusedException;
import dev.tcc.runtime.TccRuntime;
import dev.tcc.api.operations.BranchRecord;
import dev.tcc.api.operations.TransactionRecord;
import dev.tcc.api.operations.TransactionState;
import dev.tcc.runtime.model.TccSettings;
import dev.tcc.runtime.model.TransactionOptions;
import dev.tcc.runtime.plain.TccAction;
import dev.tcc.runtime.testing.HookedDataSource;
import dev.tcc.runtime.testing.MutableClock;
import dev.tcc.runtime.testing.TestDatabases;
import dev.tcc.spi.BranchReference;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The protocol, end to end through the plain-Java API: three participants on three databases
 * and a coordinator log on a fourth. Written once, run against H2 and PostgreSQL.
 */
abstract class AbstractProtocolTests {

    record Request(long amount) {
    }

    record Receipt(String reference, long amount) {
    }

    /** A type whose value cannot be written as JSON. */
    public static final class Opaque {
        public String getValue() {
            throw new IllegalStateException("cannot be read");
        }
    }

    static final class Boom extends RuntimeException {
        Boom(String message) {
            super(message);
        }
    }

    private final List<HikariDataSource> dataSources = new ArrayList<>();
    final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T10:00:00Z"));
    final List<String> phaseOrder = Collections.synchronizedList(new ArrayList<>());
    final AtomicInteger confirmFailuresLeft = new AtomicInteger();
    final AtomicReference<RuntimeException> tryFailure = new AtomicReference<>();
    final AtomicReference<String> downParticipant = new AtomicReference<>();
    Ledger seats;
    Ledger rooms;
    Ledger payments;
    HikariDataSource logDb;
    TccRuntime runtime;
    TccAction<Request, Receipt> holdSeats;
    TccAction<Request, Receipt> holdRooms;
    TccAction<Request, Receipt> authorize;

    abstract TestDatabases.Kind kind();

    @BeforeEach
    void setUp() {
        seats = new Ledger(database("seats"));
        rooms = new Ledger(database("rooms"));
        payments = new Ledger(database("payments"));
        logDb = database("log");
        runtime = newRuntime(settings().build());
        holdSeats = action(runtime, "holdSeats", seats, Duration.ofMinutes(15));
        holdRooms = action(runtime, "holdRooms", rooms, Duration.ofMinutes(15));
        authorize = action(runtime, "authorize", payments, Duration.ofMinutes(15));
    }

    TccSettings.Builder settings() {
        return TccSettings.builder()
                .asynchronousPhaseTwo(false)
                .retryMaxAttempts(3)
                .retryInitialInterval(Duration.ofMillis(1))
                .retryMaxInterval(Duration.ofMillis(2))
                .recoveryMaxRounds(3)
                .recoveryInitialBackoff(Duration.ofSeconds(1))
                .recoveryMaxBackoff(Duration.ofSeconds(4))
                .circuitBreakerMinimumCalls(1000)
                .circuitBreakerSlidingWindowSize(1000);
    }

    TccRuntime newRuntime(TccSettings settings) {
        return TccRuntime.builder()
                .transactionLog(logDb)
                .initializeSchema(true)
                .settings(settings)
                .clock(clock)
                .random(new Random(42))
                .instanceId("test-instance")
                .build();
    }

    HikariDataSource database(String name) {
        HikariDataSource ds = TestDatabases.create(kind(), name);
        dataSources.add(ds);
        return ds;
    }

    TccAction<Request, Receipt> action(TccRuntime tcc, String name, Ledger ledger, Duration hold) {
        return tcc.action(name, Request.class, Receipt.class)
                .database(name + "-db", ledger.dataSource())
                .hold(hold)
                .onTry((c, request, ctx) -> {
                    RuntimeException failure = tryFailure.get();
                    if (failure != null && name.equals(failure.getMessage())) {
                        throw failure;
                    }
                    Ledger.hold(c, ctx.xid(), name, request.amount());
                    return new Receipt(name + "-" + ctx.branchId(), request.amount());
                })
                .onConfirm((c, request, ctx) -> {
                    if (name.equals(downParticipant.get()) || confirmFailuresLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                        throw new IllegalStateException("participant " + name + " unavailable");
                    }
                    phaseOrder.add("confirm " + name);
                    assertThat(ctx.tryResult(Receipt.class)).isEqualTo(new Receipt(name + "-" + ctx.branchId(), request.amount()));
                    Ledger.settle(c, ctx.xid(), name, "CONFIRM", "CONFIRMED");
                })
                .onCancel((c, request, ctx) -> {
                    phaseOrder.add("cancel " + name);
                    Ledger.settle(c, ctx.xid(), name, "CANCEL", "RELEASED");
                })
                .register();
    }

    @AfterEach
    void tearDown() {
        runtime.close();
        dataSources.forEach(HikariDataSource::close);
    }

    String book(long amount) throws Exception {
        return runtime.execute(TransactionOptions.named("book"), () -> {
            holdSeats.tryAction(new Request(amount));
            holdRooms.tryAction(new Request(amount));
            authorize.tryAction(new Request(amount));
            return currentXid();
        });
    }

    static String currentXid() {
        return dev.tcc.runtime.coordinator.TransactionContextHolder.current().xid();
    }

    TransactionRecord record(String xid) {
        return runtime.find(xid).orElseThrow();
    }

    // ---------------------------------------------------------------- tests

    @Test
    void aReturningInitiatorConfirmsEveryBranchOnce() throws Exception {
        String xid = book(2);

        assertThat(record(xid).state()).isEqualTo(TransactionState.CONFIRMED);
        assertThat(record(xid).branches()).extracting(BranchRecord::state).containsOnly(dev.tcc.api.operations.BranchState.CONFIRMED);
        for (var entry : List.of(List.of(seats, "holdSeats"), List.of(rooms, "holdRooms"), List.of(payments, "authorize"))) {
            Ledger ledger = (Ledger) entry.get(0);
            String action = (String) entry.get(1);
            assertThat(ledger.holdState(xid, action)).isEqualTo("CONFIRMED");
            assertThat(ledger.runs(xid, action, "CONFIRM")).isEqualTo(1);
        }
        assertThat(phaseOrder).containsExactly("confirm holdSeats", "confirm holdRooms", "confirm authorize");
    }

    @Test
    void aFailingTryCancelsTheEarlierBranchesInReverseOrderAndTheCallerGetsTheOriginalException() {
        Boom declined = new Boom("authorize");
        tryFailure.set(declined);
        AtomicReference<String> xid = new AtomicReference<>();

        assertThatThrownBy(() -> runtime.execute(TransactionOptions.named("book"), () -> {
            xid.set(currentXid());
            holdSeats.tryAction(new Request(1));
            holdRooms.tryAction(new Request(1));
            return authorize.tryAction(new Request(1));
        })).isSameAs(declined);

        assertThat(phaseOrder).containsExactly("cancel holdRooms", "cancel holdSeats");
        assertThat(record(xid.get()).state()).isEqualTo(TransactionState.CANCELLED);
        assertThat(seats.holdState(xid.get(), "holdSeats")).isEqualTo("RELEASED");
        assertThat(rooms.holdState(xid.get(), "holdRooms")).isEqualTo("RELEASED");
        assertThat(payments.holdState(xid.get(), "authorize")).isNull();
    }

    @Test
    void duplicateConfirmAndCancelDeliveriesRunTheBodiesOnce() throws Exception {
        String xid = book(3);
        BranchReference seatsBranch = record(xid).branches().get(0).reference(xid);

        runtime.participant("holdSeats").confirm(seatsBranch);
        runtime.participant("holdSeats").confirm(seatsBranch.withAttempt(2));

        assertThat(seats.runs(xid, "holdSeats", "CONFIRM")).isEqualTo(1);

        tryFailure.set(new Boom("holdRooms"));
        AtomicReference<String> cancelled = new AtomicReference<>();
        assertThatThrownBy(() -> runtime.execute(TransactionOptions.named("book"), () -> {
            cancelled.set(currentXid());
            holdSeats.tryAction(new Request(1));
            return holdRooms.tryAction(new Request(1));
        })).isInstanceOf(Boom.class);
        BranchReference cancelledSeats = record(cancelled.get()).branches().get(0).reference(cancelled.get());
        runtime.participant("holdSeats").cancel(cancelledSeats);
        runtime.participant("holdSeats").cancel(cancelledSeats.withAttempt(2));

        assertThat(seats.runs(cancelled.get(), "holdSeats", "CANCEL")).isEqualTo(1);
    }

    @Test
    void aCancelBeforeAnyTryIsAnEmptyCancelAndTheLateTryRollsBackItsBody() throws Exception {
        String xid = "late-" + System.nanoTime();
        BranchReference branch = new BranchReference(xid, 1, "holdSeats", "holdSeats", clock.instant().plusSeconds(60), 1);

        runtime.participant("holdSeats").cancel(branch);

        assertThat(seats.barrierState(xid, 1)).isEqualTo("CANCELLED");
        assertThat(seats.runs(xid, "holdSeats", "CANCEL")).isZero();
        // body first: the late try's body runs, then its barrier insert meets the tombstone and everything rolls back
        assertThatThrownBy(() -> runtime.participant("holdSeats").tryBranch(xid, 1, clock.instant().plusSeconds(60),
                clock.instant().plusSeconds(30), new Object[] {new Request(5)}, ctx -> {
                    Ledger.hold(runner("holdSeats").currentConnection(), xid, "holdSeats", 5);
                    return new Receipt("late", 5);
                }))
                .isInstanceOf(TryRefusedException.class)
                .hasMessageContaining("already cancelled");
        assertThat(seats.holdState(xid, "holdSeats")).isNull();
        assertThat(seats.runs(xid, "holdSeats", "TRY")).isZero();
        assertThat(seats.barrierState(xid, 1)).isEqualTo("CANCELLED");
        assertThat(TestDatabases.queryString(seats.dataSource(), "SELECT result FROM tcc_barrier WHERE xid = '" + xid + "'"))
                .isNull();
    }

    @Test
    void aLateTryWithExternalEffectsAfterAnEmptyCancelDoesNotRunItsBody() throws Exception {
        TccAction<Request, Receipt> charge = runtime.action("charge", Request.class, Receipt.class)
                .database("charge-db", payments.dataSource())
                .externalEffects(true)
                .onTry((c, r, ctx) -> new Receipt("charge", r.amount()))
                .onConfirm((c, r, ctx) -> { })
                .onCancel((c, r, ctx) -> { })
                .register();
        String xid = "late-ext-" + System.nanoTime();
        Instant deadline = clock.instant().plusSeconds(60);
        runtime.participant(charge.name()).cancel(new BranchReference(xid, 1, "charge", "charge", deadline, 1));

        assertThatThrownBy(() -> runtime.participant("charge").tryBranch(xid, 1, deadline, deadline,
                new Object[] {new Request(5)}, ctx -> {
                    throw new AssertionError("a late try with external effects must not run its body");
                }))
                .isInstanceOf(TryRefusedException.class)
                .hasMessageContaining("already cancelled");
        assertThat(payments.barrierState(xid, 1)).isEqualTo("CANCELLED");
    }

    @Test
    void aDuplicateTryReturnsTheStoredResultAndItsBodysWritesRollBack() throws Exception {
        String xid = "dup-" + System.nanoTime();
        Instant deadline = clock.instant().plusSeconds(60);
        Object first = runtime.participant("holdSeats").tryBranch(xid, 1, deadline, deadline, new Object[] {new Request(5)},
                ctx -> {
                    Ledger.hold(runner("holdSeats").currentConnection(), xid, "holdSeats", 5);
                    return new Receipt("holdSeats-1", 5); // what the confirm body expects
                });

        Object again = runtime.participant("holdSeats").tryBranch(xid, 1, deadline, deadline, new Object[] {new Request(5)},
                ctx -> {
                    Ledger.ran(runner("holdSeats").currentConnection(), xid, "holdSeats", "TRY");
                    return new Receipt("second", 5);
                });

        assertThat(first).isEqualTo(new Receipt("holdSeats-1", 5));
        assertThat(again).isEqualTo(new Receipt("holdSeats-1", 5));
        assertThat(seats.runs(xid, "holdSeats", "TRY")).isEqualTo(1); // the second body's write rolled back
        assertThat(seats.holdState(xid, "holdSeats")).isEqualTo("PENDING");
        assertThat(seats.barrierState(xid, 1)).isEqualTo("TRIED");

        runtime.participant("holdSeats").confirm(new BranchReference(xid, 1, "holdSeats", "holdSeats", deadline, 1));
        assertThatThrownBy(() -> runtime.participant("holdSeats").tryBranch(xid, 1, deadline, deadline,
                new Object[] {new Request(5)}, ctx -> new Receipt("third", 5)))
                .isInstanceOf(TryRefusedException.class)
                .hasMessageContaining("already confirmed");
        assertThat(seats.holdState(xid, "holdSeats")).isEqualTo("CONFIRMED");
    }

    private dev.tcc.runtime.jdbc.JdbcLocalTransactionRunner runner(String action) {
        return (dev.tcc.runtime.jdbc.JdbcLocalTransactionRunner) runtime.participant(action).database().runner();
    }

    @Test
    void aConfirmAfterTheHoldExpiredIsRefusedAndTheTransactionEndsHeuristic() throws Exception {
        // the participant cannot reach the coordinator, so it expires the hold on its own
        TccRuntime cutOff = TccRuntime.builder().transactionLog(logDb)
                .settings(settings().coordinatorUnreachableAfter(Duration.ZERO).build()).clock(clock)
                .decisionSource(new dev.tcc.spi.DecisionSource() {
                    @Override
                    public dev.tcc.spi.Decision read(String x) throws dev.tcc.spi.CoordinatorUnreachableException {
                        throw new dev.tcc.spi.CoordinatorUnreachableException("coordinator unreachable", null);
                    }

                    @Override
                    public dev.tcc.spi.Decision decideCancelUnlessConfirmed(String x, int branchId) throws dev.tcc.spi.CoordinatorUnreachableException {
                        throw new dev.tcc.spi.CoordinatorUnreachableException("coordinator unreachable", null);
                    }
                }).build();
        TccAction<Request, Receipt> seatsOnCutOff = action(cutOff, "holdSeats", seats, Duration.ofMinutes(15));
        String xid = cutOff.execute(TransactionOptions.named("book").withTimeout(Duration.ofHours(1)), () -> {
            seatsOnCutOff.tryAction(new Request(1));
            clock.advance(Duration.ofMinutes(16));
            cutOff.holdExpiry().runOnce();
            clock.advance(Duration.ofMinutes(-16));
            return currentXid();
        });

        assertThat(seats.holdState(xid, "holdSeats")).isEqualTo("RELEASED");
        assertThat(cutOff.find(xid).orElseThrow().state()).isEqualTo(TransactionState.HEURISTIC);
        assertThat(cutOff.find(xid).orElseThrow().branches().get(0).state()).isEqualTo(dev.tcc.api.operations.BranchState.REFUSED);
        assertThat(seats.runs(xid, "holdSeats", "CONFIRM")).isZero();
        cutOff.close();
    }

    @Test
    void aParticipantAskingBeforeExpiryMakesTheCoordinatorCancelSoNoConfirmCanFollow() throws Exception {
        AtomicReference<String> xid = new AtomicReference<>();
        assertThatThrownBy(() -> runtime.execute(TransactionOptions.named("book").withTimeout(Duration.ofHours(1)), () -> {
            xid.set(currentXid());
            holdSeats.tryAction(new Request(1));
            clock.advance(Duration.ofMinutes(16));
            runtime.holdExpiry().runOnce(); // asks: undecided -> a cancel is recorded before the answer
            clock.advance(Duration.ofMinutes(-16));
            return null;
        })).isInstanceOf(TransactionCancelledException.class);

        assertThat(record(xid.get()).state()).isEqualTo(TransactionState.CANCELLED);
        assertThat(seats.holdState(xid.get(), "holdSeats")).isEqualTo("RELEASED");
        assertThat(seats.runs(xid.get(), "holdSeats", "CONFIRM")).isZero();
        assertThat(seats.runs(xid.get(), "holdSeats", "CANCEL")).isEqualTo(1);
    }

    @Test
    void aHoldCloserToExpiryThanTheSafetyMarginCancelsInsteadOfConfirming() {
        TccAction<Request, Receipt> shortHold = action(runtime, "shortHold", seats, Duration.ofSeconds(3));
        AtomicReference<String> xid = new AtomicReference<>();

        assertThatThrownBy(() -> runtime.execute(TransactionOptions.named("book"), () -> {
            xid.set(currentXid());
            shortHold.tryAction(new Request(1));
            clock.advance(Duration.ofMillis(1500)); // 1.5 s left, margin is 2 s
            return null;
        })).isInstanceOf(TransactionCancelledException.class).hasMessageContaining("safety margin");

        assertThat(record(xid.get()).state()).isEqualTo(TransactionState.CANCELLED);
        assertThat(seats.holdState(xid.get(), "shortHold")).isEqualTo("RELEASED");
    }

    @Test
    void theDecisionIsDurableBeforeTheFirstConfirmRuns() throws Exception {
        AtomicReference<String> seenInLog = new AtomicReference<>();
        TccAction<Request, Receipt> probe = runtime.action("probe", Request.class, Receipt.class)
                .database("probe-db", seats.dataSource())
                .onTry((c, r, ctx) -> new Receipt("p", r.amount()))
                .onConfirm((c, r, ctx) -> seenInLog.set(TestDatabases.queryString(logDb,
                        "SELECT decision || ':' || state FROM tcc_transaction WHERE xid = '" + ctx.xid() + "'")))
                .onCancel((c, r, ctx) -> { })
                .register();

        runtime.execute(TransactionOptions.named("probe"), () -> probe.tryAction(new Request(1)));

        assertThat(seenInLog.get()).isEqualTo("CONFIRM:CONFIRMING");
    }

    @Test
    void aConfirmThatFailsTwiceThenSucceedsEndsConfirmedWithTheAttemptsCounted() throws Exception {
        confirmFailuresLeft.set(2);

        String xid = book(1);

        assertThat(record(xid).state()).isEqualTo(TransactionState.CONFIRMED);
        assertThat(record(xid).branches().get(0).attempts()).isEqualTo(3);
        assertThat(record(xid).branches().get(1).attempts()).isEqualTo(1);
        assertThat(seats.runs(xid, "holdSeats", "CONFIRM")).isEqualTo(1);
    }

    @Test
    void roundsThatAnOpenCircuitSkippedDoNotSpendTheBudget() throws Exception {
        runtime.close();
        // the circuit opens after two failed calls and stays open for the whole test (it runs on the real clock)
        runtime = newRuntime(settings().circuitBreakerMinimumCalls(2).circuitBreakerSlidingWindowSize(2)
                .circuitBreakerOpenDuration(Duration.ofHours(1)).build());
        holdSeats = action(runtime, "holdSeats", seats, Duration.ofMinutes(15));
        holdRooms = action(runtime, "holdRooms", rooms, Duration.ofMinutes(15));
        authorize = action(runtime, "authorize", payments, Duration.ofMinutes(15));
        confirmFailuresLeft.set(Integer.MAX_VALUE);

        String xid = book(1); // the first round's three attempts open holdSeats' circuit
        assertThat(record(xid).rounds()).isEqualTo(1);
        for (int round = 0; round < 6; round++) {
            clock.advance(Duration.ofMinutes(1)); // past the lease and the backoff
            runtime.coordinatorRecovery().runOnce();
        }

        TransactionRecord waiting = record(xid);
        assertThat(waiting.state()).as("no call was made since the first round: the budget (3 rounds) is not spent")
                .isEqualTo(TransactionState.CONFIRMING);
        assertThat(waiting.rounds()).isEqualTo(1);
        assertThat(waiting.cause()).contains("circuit breaker open");
        assertThat(waiting.nextAttemptAt()).as("the next round stays scheduled").isAfter(clock.instant());
    }

    @Test
    void aTransactionBehindAnOpenCircuitDoesNotTakeEveryRecoveryPassFromTheOthers() throws Exception {
        runtime.close();
        // phase two after the decision is dropped (an initiator that stopped): recovery drives every transaction;
        // one transaction per pass; the circuits open after two failed calls and stay open (on the real clock)
        runtime = TccRuntime.builder().transactionLog(logDb).initializeSchema(true).clock(clock).random(new Random(42))
                .instanceId("test-instance").phaseTwoExecutor(round -> { })
                .settings(settings().asynchronousPhaseTwo(true).recoveryBatchSize(1).circuitBreakerMinimumCalls(2)
                        .circuitBreakerSlidingWindowSize(2).circuitBreakerOpenDuration(Duration.ofHours(1)).build())
                .build();
        holdSeats = action(runtime, "holdSeats", seats, Duration.ofMinutes(15));
        holdRooms = action(runtime, "holdRooms", rooms, Duration.ofMinutes(15));
        authorize = action(runtime, "authorize", payments, Duration.ofMinutes(15));
        Ledger cars = new Ledger(database("cars"));
        TccAction<Request, Receipt> holdCar = action(runtime, "holdCar", cars, Duration.ofMinutes(15));
        confirmFailuresLeft.set(Integer.MAX_VALUE);
        String behindOpenCircuits = book(1);
        clock.advance(Duration.ofMinutes(1)); // past the decision's lease
        runtime.coordinatorRecovery().runOnce(); // its round opens the circuits of its three participants
        confirmFailuresLeft.set(0);

        String other = runtime.execute(TransactionOptions.named("car"), () -> {
            holdCar.tryAction(new Request(1));
            return currentXid();
        });
        for (int pass = 0; pass < 3; pass++) {
            clock.advance(Duration.ofMinutes(1)); // past the lease and any backoff of a counted round
            runtime.coordinatorRecovery().runOnce();
        }

        assertThat(record(other).state()).as("decided later, but not kept waiting while the other's circuits stay open")
                .isEqualTo(TransactionState.CONFIRMED);
        assertThat(cars.runs(other, "holdCar", "CONFIRM")).isEqualTo(1);
        TransactionRecord waiting = record(behindOpenCircuits);
        assertThat(waiting.state()).isEqualTo(TransactionState.CONFIRMING);
        assertThat(waiting.rounds()).isEqualTo(1);
    }

    @Test
    void aParticipantThatAlwaysFailsEndsFailedAndVisibleAfterItsBudget() throws Exception {
        confirmFailuresLeft.set(Integer.MAX_VALUE);

        String xid = book(1);
        assertThat(record(xid).state()).isEqualTo(TransactionState.CONFIRMING);
        for (int round = 0; round < 5 && record(xid).state() == TransactionState.CONFIRMING; round++) {
            clock.advance(Duration.ofMinutes(1)); // past the lease and the backoff
            runtime.coordinatorRecovery().runOnce();
        }

        TransactionRecord failed = record(xid);
        assertThat(failed.state()).isEqualTo(TransactionState.FAILED);
        assertThat(failed.rounds()).isEqualTo(3);
        assertThat(failed.cause()).contains("unavailable");
        assertThat(runtime.list(TransactionState.FAILED, 10)).extracting(TransactionRecord::xid).contains(xid);
        assertThat(seats.runs(xid, "holdSeats", "CONFIRM")).isZero();

        confirmFailuresLeft.set(0);
        assertThat(runtime.retryFailed(xid)).contains(TransactionState.CONFIRMED);
        assertThat(seats.runs(xid, "holdSeats", "CONFIRM")).isEqualTo(1);
    }

    @Test
    void bodiesAndTheInitiatorCanReadTheirContextFromTheThread() throws Exception {
        List<String> seen = Collections.synchronizedList(new ArrayList<>());
        TccAction<Request, Receipt> reader = runtime.action("reader", Request.class, Receipt.class)
                .database("reader-db", seats.dataSource())
                .onTry((c, r, ctx) -> {
                    seen.add("try " + (dev.tcc.api.TccContextHolder.currentBranch() == ctx));
                    return new Receipt("r", 1);
                })
                .onConfirm((c, r, ctx) -> seen.add("confirm " + (dev.tcc.api.TccContextHolder.currentBranch() == ctx)))
                .onCancel((c, r, ctx) -> { })
                .register();

        String xid = runtime.execute(TransactionOptions.named("reader"), () -> {
            reader.tryAction(new Request(1));
            return dev.tcc.api.TccContextHolder.currentXid().orElseThrow();
        });

        assertThat(xid).isEqualTo(record(xid).xid());
        assertThat(seen).containsExactly("try true", "confirm true");
        assertThat(dev.tcc.api.TccContextHolder.currentXid()).isEmpty();
        assertThatThrownBy(dev.tcc.api.TccContextHolder::currentBranch).isInstanceOf(NoTccTransactionException.class);
    }

    @Test
    void anOperatorCanForceFinishAFailedTransactionButNothingElse() throws Exception {
        confirmFailuresLeft.set(Integer.MAX_VALUE);
        String xid = book(1);
        driveUntilFailed(xid);

        assertThat(runtime.forceFinish(xid, TransactionState.CONFIRMED, "confirmed by hand in the payment console")).isTrue();

        assertThat(record(xid).state()).isEqualTo(TransactionState.CONFIRMED);
        assertThat(record(xid).cause()).isEqualTo("confirmed by hand in the payment console");
        assertThat(runtime.forceFinish(xid, TransactionState.CANCELLED, "again")).isFalse();
        assertThatThrownBy(() -> runtime.forceFinish(xid, TransactionState.CONFIRMING, "no"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void laterRoundsDeliverOnlyToTheBranchesStillPending() throws Exception {
        downParticipant.set("authorize");
        String xid = book(1);
        assertThat(record(xid).state()).isEqualTo(TransactionState.CONFIRMING);

        clock.advance(Duration.ofMinutes(1));
        runtime.coordinatorRecovery().runOnce();
        downParticipant.set(null);
        clock.advance(Duration.ofMinutes(1));
        runtime.coordinatorRecovery().runOnce();

        TransactionRecord tx = record(xid);
        assertThat(tx.state()).isEqualTo(TransactionState.CONFIRMED);
        assertThat(tx.rounds()).isEqualTo(2);
        assertThat(tx.branches()).extracting(BranchRecord::attempts).containsExactly(1, 1, 7);
        assertThat(payments.runs(xid, "authorize", "CONFIRM")).isEqualTo(1);
    }

    @Test
    void aTryOutsideATransactionFailsAndDoesNotRun() {
        assertThatThrownBy(() -> holdSeats.tryAction(new Request(1)))
                .isInstanceOf(NoTccTransactionException.class)
                .hasMessageContaining("'holdSeats'")
                .hasMessageContaining("outside a TCC transaction");
        assertThat(TestDatabases.queryLong(seats.dataSource(), "SELECT COUNT(*) FROM hold_row")).isZero();
    }

    @Test
    void anArgumentThatCannotBeEncodedFailsBeforeTheTryBodyRuns() {
        TccAction<Opaque, Receipt> bad = runtime.action("bad", Opaque.class, Receipt.class)
                .database("bad-db", seats.dataSource())
                .onTry((c, r, ctx) -> {
                    throw new AssertionError("must not run");
                })
                .onConfirm((c, r, ctx) -> { })
                .onCancel((c, r, ctx) -> { })
                .register();

        assertThatThrownBy(() -> runtime.execute(TransactionOptions.named("bad"), () -> bad.tryAction(new Opaque())))
                .isInstanceOf(ArgumentEncodingException.class)
                .hasMessageContaining("Argument 'argument'");
    }

    @Test
    void aDatabaseOutageDuringATryFailsTheTransactionCleanly() {
        AtomicReference<String> xid = new AtomicReference<>();
        HikariDataSource roomsDb = (HikariDataSource) rooms.dataSource();

        assertThatThrownBy(() -> runtime.execute(TransactionOptions.named("book"), () -> {
            xid.set(currentXid());
            holdSeats.tryAction(new Request(1));
            roomsDb.getHikariPoolMXBean().softEvictConnections();
            roomsDb.close(); // the rooms database goes away
            return holdRooms.tryAction(new Request(1));
        })).isInstanceOf(Exception.class);

        TransactionRecord tx = record(xid.get());
        assertThat(tx.decision()).isEqualTo(dev.tcc.spi.Decision.CANCEL);
        assertThat(seats.holdState(xid.get(), "holdSeats")).isEqualTo("RELEASED");
        assertThat(seats.barrierState(xid.get(), 1)).isEqualTo("CANCELLED");
        // the rooms branch may have committed before the outage: it is covered by the cancel decision
        assertThat(tx.branches()).extracting(BranchRecord::action).containsExactly("holdSeats", "holdRooms");
    }

    @Test
    void aTryWithExternalEffectsIsCancelledEvenWhenItsLocalTransactionRolledBack() throws Exception {
        List<String> undone = Collections.synchronizedList(new ArrayList<>());
        TccAction<Request, Receipt> charge = runtime.action("charge", Request.class, Receipt.class)
                .database("charge-db", payments.dataSource())
                .externalEffects(true)
                .onTry((c, r, ctx) -> {
                    Ledger.hold(c, ctx.xid(), "charge", r.amount()); // rolled back below
                    throw new Boom("gateway timed out after charging");
                })
                .onConfirm((c, r, ctx) -> { })
                .onCancel((c, r, ctx) -> undone.add(ctx.idempotencyKey() + " amount=" + r.amount() + " result="
                        + ctx.tryResult(Receipt.class)))
                .register();
        AtomicReference<String> xid = new AtomicReference<>();

        assertThatThrownBy(() -> runtime.execute(TransactionOptions.named("pay"), () -> {
            xid.set(currentXid());
            return charge.tryAction(new Request(42));
        })).isInstanceOf(Boom.class);

        assertThat(undone).containsExactly(xid.get() + ":1 amount=42 result=null");
        assertThat(payments.holdState(xid.get(), "charge")).isNull();
    }

    @Test
    void aTryAfterTheTimeoutIsRefused() {
        assertThatThrownBy(() -> runtime.execute(TransactionOptions.named("slow").withTimeout(Duration.ofSeconds(5)), () -> {
            clock.advance(Duration.ofSeconds(6));
            return holdSeats.tryAction(new Request(1));
        })).isInstanceOf(TryRefusedException.class).hasMessageContaining("timed out");
    }

    @Test
    void aCrashedInitiatorsHoldsAreReleasedAtTheTransactionTimeout() throws Exception {
        // the initiator tries and then "dies": no decision is ever written
        String xid = "crashed-" + System.nanoTime();
        runtime.participant("holdSeats").tryBranch(xid, 1, clock.instant().plus(Duration.ofMinutes(15)),
                clock.instant().plusSeconds(30), new Object[] {new Request(1)}, ctx -> {
                    try (var c = seats.dataSource().getConnection()) {
                        return new Receipt("x", 1);
                    }
                });
        clock.advance(Duration.ofSeconds(20));
        runtime.recoverOnce();
        assertThat(seats.barrierState(xid, 1)).isEqualTo("TRIED");

        clock.advance(Duration.ofSeconds(20)); // past timeout + grace
        runtime.recoverOnce();

        assertThat(seats.barrierState(xid, 1)).isEqualTo("CANCELLED");
        assertThat(record(xid).state()).isEqualTo(TransactionState.CANCELLED);
    }

    @Test
    void recoveryFinishesAConfirmDecisionWhoseInitiatorDiedBeforePhaseTwo() throws Exception {
        TccRuntime deadInitiator = TccRuntime.builder().transactionLog(logDb).settings(settings().asynchronousPhaseTwo(true).build())
                .clock(clock).phaseTwoExecutor(task -> { /* dies before phase two */ }).instanceId("dead").build();
        TccAction<Request, Receipt> seatsOnDead = action(deadInitiator, "holdSeats", seats, Duration.ofMinutes(15));
        String xid = deadInitiator.execute(TransactionOptions.named("book"), () -> {
            seatsOnDead.tryAction(new Request(1));
            return currentXid();
        });
        assertThat(record(xid).state()).isEqualTo(TransactionState.CONFIRMING);

        assertThat(runtime.coordinatorRecovery().runOnce()).isZero(); // the dead instance's lease still runs
        clock.advance(Duration.ofSeconds(31));
        assertThat(runtime.coordinatorRecovery().runOnce()).isEqualTo(1);

        assertThat(record(xid).state()).isEqualTo(TransactionState.CONFIRMED);
        assertThat(seats.runs(xid, "holdSeats", "CONFIRM")).isEqualTo(1);
        deadInitiator.close();
    }

    @Test
    void finishedRowsOfAnUnknownActionAtTheHeadDoNotStopTheBarrierPurge() throws Exception {
        runtime.close();
        runtime = newRuntime(settings().retentionBatchSize(1).build());
        holdSeats = action(runtime, "holdSeats", seats, Duration.ofMinutes(15));
        holdRooms = action(runtime, "holdRooms", rooms, Duration.ofMinutes(15));
        authorize = action(runtime, "authorize", payments, Duration.ofMinutes(15));
        for (int i = 0; i < 64; i++) { // finished rows of an action renamed since, older than everything else
            TestDatabases.execute(seats.dataSource(), "INSERT INTO tcc_barrier (xid, branch_id, action, state, hold_deadline,"
                    + " timeout_at, arguments, result, created_at, updated_at) VALUES ('old-" + i + "', 1, 'renamedAction',"
                    + " 'CANCELLED', TIMESTAMP WITH TIME ZONE '2025-01-01 00:00:00+00', TIMESTAMP WITH TIME ZONE '2025-01-01 00:00:00+00',"
                    + " '[]', NULL, TIMESTAMP WITH TIME ZONE '2025-01-01 00:00:00+00', TIMESTAMP WITH TIME ZONE '2025-01-01 00:00:00+00')");
        }
        String xid = book(1);
        clock.advance(Duration.ofDays(3));
        runtime.retention().runOnce();
        runtime.retention().runOnce();
        assertThat(seats.barrierState(xid, 1)).isNull();
    }

    @Test
    void barrierRowsOfFailedTransactionsFillingEveryPageOfAPassDoNotStopTheBarrierPurge() throws Exception {
        runtime.close();
        runtime = newRuntime(settings().retentionBatchSize(1).build());
        holdSeats = action(runtime, "holdSeats", seats, Duration.ofMinutes(15));
        holdRooms = action(runtime, "holdRooms", rooms, Duration.ofMinutes(15));
        authorize = action(runtime, "authorize", payments, Duration.ofMinutes(15));
        String old = "TIMESTAMP WITH TIME ZONE '2025-01-01 00:00:00+00'";
        for (int i = 0; i < 64; i++) { // FAILED transactions wait for an operator: their finished rows must stay
            TestDatabases.execute(logDb, "INSERT INTO tcc_transaction (xid, name, state, decision, created_at, timeout_at,"
                    + " decided_at, rounds) VALUES ('failed-" + i + "', 'book', 'FAILED', 'CONFIRM', " + old + ", " + old + ", "
                    + old + ", 10)");
            TestDatabases.execute(seats.dataSource(), "INSERT INTO tcc_barrier (xid, branch_id, action, state, hold_deadline,"
                    + " timeout_at, arguments, result, created_at, updated_at) VALUES ('failed-" + i + "', 1, 'holdSeats',"
                    + " 'CONFIRMED', " + old + ", " + old + ", '[]', NULL, " + old + ", " + old + ")");
        }
        String xid = book(1);
        clock.advance(Duration.ofDays(3));
        runtime.retention().runOnce(); // 64 pages of rows that must stay
        runtime.retention().runOnce(); // goes on where the last pass stopped

        assertThat(seats.barrierState(xid, 1)).isNull();
        assertThat(seats.barrierState("failed-0", 1)).isEqualTo("CONFIRMED");
    }

    @Test
    void finishedTransactionsAndBarrierRowsArePurgedAfterTheRetention() throws Exception {
        String xid = book(1);
        clock.advance(Duration.ofHours(2));
        assertThat(runtime.retention().runOnce()).isZero();

        clock.advance(Duration.ofDays(1));
        runtime.retention().runOnce();

        assertThat(runtime.find(xid)).isEmpty();
        assertThat(seats.barrierState(xid, 1)).isNull();
        assertThat(TestDatabases.queryLong(logDb, "SELECT COUNT(*) FROM tcc_branch WHERE xid = '" + xid + "'")).isZero();
    }

    /** Recovery rounds, a minute apart (past the lease and the backoff), until the budget is spent. */
    private void driveUntilFailed(String xid) {
        for (int round = 0; round < 5 && record(xid).state() == TransactionState.CONFIRMING; round++) {
            clock.advance(Duration.ofMinutes(1));
            runtime.coordinatorRecovery().runOnce();
        }
        assertThat(record(xid).state()).isEqualTo(TransactionState.FAILED);
    }

    @Test
    void retentionKeepsAFailedTransactionAndItsUnconfirmedBarrierRow() throws Exception {
        confirmFailuresLeft.set(Integer.MAX_VALUE);
        String failed = book(1);
        driveUntilFailed(failed);
        confirmFailuresLeft.set(0);
        String confirmed = book(1);

        clock.advance(Duration.ofDays(2)); // past every retention and hold deadline
        runtime.retention().runOnce();

        assertThat(runtime.find(confirmed)).isEmpty();
        assertThat(record(failed).state()).isEqualTo(TransactionState.FAILED);
        assertThat(record(failed).branches()).hasSize(3);
        assertThat(seats.barrierState(failed, 1)).isEqualTo("TRIED");
        assertThat(seats.barrierState(confirmed, 1)).isNull();
    }

    // ---------------------------------------------------------------- retention, late decisions, leases (issue 10: b, e, h)

    @Test
    void holdExpiryCancelsABranchTheConfirmDecisionDoesNotListAndConfirmsTheListedOnes() throws Exception {
        // the initiator decides confirm and dies before phase two; one try ran but its answer never came back
        TccRuntime deadInitiator = TccRuntime.builder().transactionLog(logDb).settings(settings().asynchronousPhaseTwo(true).build())
                .clock(clock).phaseTwoExecutor(task -> { }).instanceId("dead").build();
        TccAction<Request, Receipt> seatsOnDead = action(deadInitiator, "holdSeats", seats, Duration.ofMinutes(15));
        TccAction<Request, Receipt> roomsOnDead = action(deadInitiator, "holdRooms", rooms, Duration.ofMinutes(15));
        action(deadInitiator, "authorize", payments, Duration.ofMinutes(15));
        String xid = deadInitiator.execute(TransactionOptions.named("book"), () -> {
            seatsOnDead.tryAction(new Request(1));
            roomsOnDead.tryAction(new Request(1));
            String current = currentXid();
            Instant deadline = clock.instant().plus(Duration.ofMinutes(15));
            // a remote try: it commits on the other side, its answer is lost and user code swallows the timeout,
            // so the initiator never registers branch 3
            deadInitiator.participant("authorize").tryBranch(current, 3, deadline, deadline, new Object[] {new Request(1)}, ctx -> {
                var runner = (dev.tcc.runtime.jdbc.JdbcLocalTransactionRunner) deadInitiator.participant("authorize").database()
                        .runner();
                Ledger.hold(runner.currentConnection(), current, "authorize", 1);
                return new Receipt("authorize-3", 1);
            });
            return current;
        });
        assertThat(payments.barrierState(xid, 3)).isEqualTo("TRIED");
        assertThat(record(xid).branches()).hasSize(2);

        clock.advance(Duration.ofMinutes(16));
        runtime.holdExpiry().runOnce();

        assertThat(seats.holdState(xid, "holdSeats")).isEqualTo("CONFIRMED");
        assertThat(rooms.holdState(xid, "holdRooms")).isEqualTo("CONFIRMED");
        assertThat(payments.barrierState(xid, 3)).isEqualTo("CANCELLED");
        assertThat(payments.holdState(xid, "authorize")).isEqualTo("RELEASED");
        assertThat(payments.runs(xid, "authorize", "CONFIRM")).isZero();
        TransactionRecord unchanged = record(xid);
        assertThat(unchanged.decision()).isEqualTo(dev.tcc.spi.Decision.CONFIRM);
        assertThat(unchanged.branches()).extracting(b -> b.branchId()).containsExactly(1, 2);

        clock.advance(Duration.ofMinutes(1)); // past the dead initiator's lease
        runtime.coordinatorRecovery().runOnce();
        assertThat(record(xid).state()).isEqualTo(TransactionState.CONFIRMED);
        assertThat(payments.runs(xid, "authorize", "CONFIRM")).isZero();
        deadInitiator.close();
    }

    @Test
    void theBranchQuestionAboutAnUnknownXidRecordsACancelTombstoneBeforeAnswering() throws Exception {
        assertThat(runtime.decisionSource().decideCancelUnlessConfirmed("never-seen", 4)).isEqualTo(dev.tcc.spi.Decision.CANCEL);
        assertThat(record("never-seen").decision()).isEqualTo(dev.tcc.spi.Decision.CANCEL);
        assertThat(runtime.decisionSource().decideCancelUnlessConfirmed("never-seen", 5)).isEqualTo(dev.tcc.spi.Decision.CANCEL);
    }

    @Test
    void aReDriveAfterEveryRetentionStillFindsTheBranchHoldExpiryConfirmed() throws Exception {
        // the initiator decides confirm and dies before phase two; recovery does not get to it for days
        TccRuntime deadInitiator = TccRuntime.builder().transactionLog(logDb).settings(settings().asynchronousPhaseTwo(true).build())
                .clock(clock).phaseTwoExecutor(task -> { }).instanceId("dead").build();
        TccAction<Request, Receipt> seatsOnDead = action(deadInitiator, "holdSeats", seats, Duration.ofMinutes(15));
        String xid = deadInitiator.execute(TransactionOptions.named("book"), () -> {
            seatsOnDead.tryAction(new Request(1));
            return currentXid();
        });
        clock.advance(Duration.ofMinutes(16));
        runtime.holdExpiry().runOnce(); // asks, hears confirm, confirms its branch; the log does not learn it
        assertThat(seats.holdState(xid, "holdSeats")).isEqualTo("CONFIRMED");

        clock.advance(Duration.ofDays(3)); // longer than every lease, backoff and retention
        runtime.retention().runOnce();
        runtime.coordinatorRecovery().runOnce();

        assertThat(record(xid).state()).isEqualTo(TransactionState.CONFIRMED);
        assertThat(seats.runs(xid, "holdSeats", "CONFIRM")).isEqualTo(1);
        clock.advance(Duration.ofDays(3));
        runtime.retention().runOnce();
        assertThat(runtime.find(xid)).isEmpty();
        assertThat(seats.barrierState(xid, 1)).as("purged once its transaction is final").isNull();
        deadInitiator.close();
    }

    @Test
    void anOperatorRetryingAFailedTransactionAfterEveryRetentionConfirmsItInsteadOfEndingHeuristic() throws Exception {
        confirmFailuresLeft.set(Integer.MAX_VALUE);
        String xid = book(1);
        driveUntilFailed(xid);
        confirmFailuresLeft.set(0);
        clock.advance(Duration.ofMinutes(16));
        runtime.holdExpiry().runOnce(); // the participants come back and confirm their own holds at expiry

        clock.advance(Duration.ofDays(30)); // the operator looks a month later
        runtime.retention().runOnce();

        assertThat(runtime.retryFailed(xid)).contains(TransactionState.CONFIRMED);
        assertThat(seats.runs(xid, "holdSeats", "CONFIRM")).isEqualTo(1);
        assertThat(rooms.runs(xid, "holdRooms", "CONFIRM")).isEqualTo(1);
        assertThat(payments.runs(xid, "authorize", "CONFIRM")).isEqualTo(1);
    }

    @Test
    void anInitiatorStalledBetweenItsMarginCheckAndItsDecisionPastThePurgeOfTheCancelTombstoneCannotConfirm() throws Exception {
        HookedDataSource hookedLog = new HookedDataSource(logDb);
        TccRuntime stalling = TccRuntime.builder().transactionLog(hookedLog).settings(settings().build()).clock(clock)
                .random(new Random(7)).instanceId("stalling").build();
        TccAction<Request, Receipt> seatsOnStalling = action(stalling, "holdSeats", seats, Duration.ofMinutes(15));
        AtomicReference<String> xid = new AtomicReference<>();

        assertThatThrownBy(() -> stalling.execute(TransactionOptions.named("book").withTimeout(Duration.ofHours(1)), () -> {
            xid.set(currentXid());
            seatsOnStalling.tryAction(new Request(1));
            // the margin check passes now; the decision then stalls before it reaches the log, and meanwhile the hold
            // expires (the question leaves a cancel tombstone) and retention purges the tombstone
            hookedLog.beforeNextConnection(() -> {
                clock.advance(Duration.ofMinutes(16));
                stalling.holdExpiry().runOnce();
                clock.advance(Duration.ofDays(3));
                stalling.retention().runOnce();
            });
            return null;
        })).isInstanceOf(TransactionCancelledException.class);

        assertThat(stalling.find(xid.get()).map(TransactionRecord::state)).isNotEqualTo(java.util.Optional.of(TransactionState.HEURISTIC));
        assertThat(stalling.find(xid.get()).map(TransactionRecord::decision)).isNotEqualTo(java.util.Optional.of(dev.tcc.spi.Decision.CONFIRM));
        assertThat(seats.runs(xid.get(), "holdSeats", "CONFIRM")).isZero();
        assertThat(seats.holdState(xid.get(), "holdSeats")).isEqualTo("RELEASED");
        stalling.close();
    }

    @Test
    void aConfirmThatMissesItsTimeLimitLogsACancelSoRecoveryReleasesTheHoldsWhenTheInitiatorStops() throws Exception {
        HookedDataSource hookedLog = new HookedDataSource(logDb);
        List<Runnable> neverRun = new ArrayList<>(); // the initiator stops before its phase two runs
        TccRuntime stalling = TccRuntime.builder().transactionLog(hookedLog).settings(settings().asynchronousPhaseTwo(true).build())
                .clock(clock).random(new Random(7)).phaseTwoExecutor(neverRun::add).instanceId("stalling").build();
        TccAction<Request, Receipt> seatsOnStalling = action(stalling, "holdSeats", seats, Duration.ofMinutes(15));
        AtomicReference<String> xid = new AtomicReference<>();

        assertThatThrownBy(() -> stalling.execute(TransactionOptions.named("book").withTimeout(Duration.ofHours(1)), () -> {
            xid.set(currentXid());
            seatsOnStalling.tryAction(new Request(1));
            // the margin check passes now; the decision write then stalls until the hold is within its safety margin
            hookedLog.beforeNextConnection(() -> clock.advance(Duration.ofMinutes(15).minusSeconds(1)));
            return null;
        })).isInstanceOf(TransactionCancelledException.class);

        assertThat(record(xid.get()).decision()).isEqualTo(dev.tcc.spi.Decision.CANCEL);
        clock.advance(Duration.ofMinutes(1)); // the stopped initiator's lease ends (hold expiry does not run here)
        runtime.coordinatorRecovery().runOnce();

        assertThat(record(xid.get()).state()).isEqualTo(TransactionState.CANCELLED);
        assertThat(seats.holdState(xid.get(), "holdSeats")).isEqualTo("RELEASED");
        assertThat(seats.runs(xid.get(), "holdSeats", "CONFIRM")).isZero();
    }

    @Test
    void aDriverThatLostItsLeaseNeitherCountsARoundNorClearsTheLeaseOfTheDriverThatTookItOver() throws Exception {
        List<Runnable> late = new ArrayList<>();
        TccRuntime slow = TccRuntime.builder().transactionLog(logDb).settings(settings().asynchronousPhaseTwo(true).build())
                .clock(clock).phaseTwoExecutor(late::add).instanceId("slow").build();
        TccAction<Request, Receipt> seatsOnSlow = action(slow, "holdSeats", seats, Duration.ofMinutes(15));
        downParticipant.set("holdSeats");
        String xid = slow.execute(TransactionOptions.named("book"), () -> {
            seatsOnSlow.tryAction(new Request(1));
            return currentXid();
        });
        clock.advance(Duration.ofSeconds(31)); // the initiator's lease ends and another driver takes the transaction
        TestDatabases.execute(logDb, "UPDATE tcc_transaction SET lease_owner = 'other-driver', lease_until = "
                + "TIMESTAMP WITH TIME ZONE '2026-01-01 11:00:00+00' WHERE xid = '" + xid + "'");

        late.forEach(Runnable::run); // the initiator's phase two runs now, late; its confirm fails again

        TransactionRecord tx = record(xid);
        assertThat(tx.state()).isEqualTo(TransactionState.CONFIRMING);
        assertThat(tx.rounds()).as("the late driver counted no round").isZero();
        assertThat(tx.leaseOwner()).isEqualTo("other-driver");
        slow.close();
    }
}

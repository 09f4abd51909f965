package dev.tcc.runtime.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import dev.tcc.api.CancelRefusedException;
import dev.tcc.api.TransactionCancelledException;
import dev.tcc.api.TryRefusedException;
import dev.tcc.runtime.TccRuntime;
import dev.tcc.api.operations.TransactionState;
import dev.tcc.runtime.model.TccSettings;
import dev.tcc.runtime.model.TransactionOptions;
import dev.tcc.runtime.coordinator.TransactionContextHolder;
import dev.tcc.runtime.model.TccSettings;
import dev.tcc.runtime.plain.TccAction;
import dev.tcc.runtime.testing.InterceptingDataSource;
import dev.tcc.runtime.testing.MutableClock;
import dev.tcc.runtime.testing.TestDatabases;
import dev.tcc.spi.BranchReference;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Races on one barrier row between a try, a cancel and a confirm driven by different threads,
 * forced into the interleaving under test with latches and statement hooks (no sleeps). Written
 * once, run against H2 and PostgreSQL: the outcome rests on each database's row locks.
 */
abstract class AbstractBarrierRaceTests {

    record Request(long amount) {
    }

    record Receipt(String reference, long amount) {
    }

    private final List<HikariDataSource> dataSources = new ArrayList<>();
    final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T10:00:00Z"));
    Ledger payments;
    InterceptingDataSource paymentsSeenByTcc;
    HikariDataSource logDb;
    TccRuntime runtime;

    abstract TestDatabases.Kind kind();

    @BeforeEach
    void setUp() {
        HikariDataSource paymentsDb = TestDatabases.create(kind(), "payments");
        dataSources.add(paymentsDb);
        payments = new Ledger(paymentsDb);
        paymentsSeenByTcc = new InterceptingDataSource(paymentsDb);
        logDb = TestDatabases.create(kind(), "log");
        dataSources.add(logDb);
        runtime = TccRuntime.builder().transactionLog(logDb).initializeSchema(true).clock(clock).random(new Random(7))
                .settings(TccSettings.builder().asynchronousPhaseTwo(false).retryMaxAttempts(1).build())
                .instanceId("race").build();
    }

    @AfterEach
    void tearDown() {
        runtime.close();
        dataSources.forEach(HikariDataSource::close);
    }

    /** An action on the payments database whose cancel releases the hold and remembers the try result it saw. */
    TccAction<Request, Receipt> action(String name, boolean externalEffects, TccActionBody body,
                                       AtomicReference<Receipt> resultSeenByCancel) {
        return runtime.action(name, Request.class, Receipt.class)
                .database("payments-db", paymentsSeenByTcc.dataSource())
                .hold(Duration.ofMinutes(1))
                .externalEffects(externalEffects)
                .onTry((c, r, ctx) -> {
                    Ledger.hold(c, ctx.xid(), name, r.amount());
                    body.afterHold(c);
                    return new Receipt(name + "-" + ctx.branchId(), r.amount());
                })
                .onConfirm((c, r, ctx) -> Ledger.settle(c, ctx.xid(), name, "CONFIRM", "CONFIRMED"))
                .onCancel((c, r, ctx) -> {
                    resultSeenByCancel.set(ctx.tryResult(Receipt.class));
                    Ledger.settle(c, ctx.xid(), name, "CANCEL", "RELEASED");
                })
                .register();
    }

    @FunctionalInterface
    interface TccActionBody {
        void afterHold(Connection connection) throws Exception;
    }

    // ---------------------------------------------------------------- a: externalEffects = true

    @Test
    void holdExpiryDuringATryBodyWithExternalEffectsWaitsForTheBodyAndReleasesWhatItCommitted() throws Exception {
        CountDownLatch bodyHoldsTheRow = new CountDownLatch(1);
        CountDownLatch expiryDone = new CountDownLatch(1);
        AtomicReference<Object> bodySession = new AtomicReference<>();
        AtomicReference<Receipt> resultSeenByCancel = new AtomicReference<>();
        TccAction<Request, Receipt> charge = action("charge", true, c -> {
            bodySession.set(sessionOf(c));
            bodyHoldsTheRow.countDown();
            // the external call is still running: wait until hold expiry is either done or waits for this transaction
            awaitBlockedOrDone(bodySession.get(), expiryDone);
        }, resultSeenByCancel);
        AtomicReference<String> xid = new AtomicReference<>();

        CompletableFuture<Object> initiator = CompletableFuture.supplyAsync(() -> {
            try {
                return runtime.execute(TransactionOptions.named("pay").withTimeout(Duration.ofSeconds(30)), () -> {
                    xid.set(TransactionContextHolder.current().xid());
                    return charge.tryAction(new Request(42));
                });
            } catch (Exception e) {
                return e;
            }
        });
        assertThat(bodyHoldsTheRow.await(10, TimeUnit.SECONDS)).isTrue();
        clock.advance(Duration.ofMinutes(2)); // past the timeout and the hold: hold expiry asks, the coordinator cancels
        CompletableFuture<Integer> expiry = CompletableFuture.supplyAsync(() -> runtime.holdExpiry().runOnce())
                .whenComplete((n, e) -> expiryDone.countDown());

        assertThat(expiry.get(20, TimeUnit.SECONDS)).isEqualTo(1);
        assertThat(initiator.get(20, TimeUnit.SECONDS)).isInstanceOf(TransactionCancelledException.class);

        // the body's hold committed first, then the cancel found it and released it: nothing left behind
        assertThat(payments.barrierState(xid.get(), 1)).isEqualTo("CANCELLED");
        assertThat(payments.holdState(xid.get(), "charge")).isEqualTo("RELEASED");
        assertThat(payments.runs(xid.get(), "charge", "CANCEL")).isEqualTo(1);
        assertThat(resultSeenByCancel.get()).isEqualTo(new Receipt("charge-1", 42));
        assertThat(runtime.find(xid.get()).orElseThrow().state()).isEqualTo(TransactionState.CANCELLED);
    }

    @Test
    void aTryBodyWithExternalEffectsDoesNotRunWhenACancelFinishedTheBranchAfterItsBarrierRowCommitted() throws Exception {
        AtomicReference<Receipt> resultSeenByCancel = new AtomicReference<>();
        action("charge", true, c -> { }, resultSeenByCancel);
        String xid = "ext-" + System.nanoTime();
        Instant deadline = clock.instant().plus(Duration.ofMinutes(1));
        BranchReference branch = new BranchReference(xid, 1, "charge", "charge", deadline, 1);
        // the barrier row has committed TRIED; before the body's transaction starts, hold expiry cancels the branch
        paymentsSeenByTcc.beforeStatement(sql -> sql.contains("tcc_barrier SET updated_at"),
                () -> CompletableFuture.runAsync(() -> cancel(branch)).join());
        AtomicReference<String> ran = new AtomicReference<>();

        assertThatThrownBy(() -> runtime.participant("charge").tryBranch(xid, 1, deadline, deadline, new Object[] {new Request(9)},
                ctx -> {
                    ran.set("the body ran");
                    return new Receipt("late", 9);
                }))
                .isInstanceOf(TryRefusedException.class)
                .hasMessageContaining("'charge'")
                .hasMessageContaining("before its body ran");

        assertThat(ran.get()).isNull();
        assertThat(payments.barrierState(xid, 1)).isEqualTo("CANCELLED");
        assertThat(TestDatabases.queryString(payments.dataSource(),
                "SELECT result FROM tcc_barrier WHERE xid = '" + xid + "'")).isNull();
    }

    // ---------------------------------------------------------------- body-first: no external effects (the default)

    @Test
    void aTryWithoutExternalEffectsInsertsItsBarrierRowAfterTheBodyWithTheResultAndNoSeparateResultWrite() throws Exception {
        action("holdSeats", false, c -> { }, new AtomicReference<>());
        String xid = "order-" + System.nanoTime();
        Instant deadline = clock.instant().plus(Duration.ofMinutes(1));
        List<String> sent = paymentsSeenByTcc.recordStatements();

        Receipt receipt = (Receipt) runtime.participant("holdSeats").tryBranch(xid, 1, deadline, deadline,
                new Object[] {new Request(3)}, ctx -> {
                    Ledger.hold(runner().currentConnection(), xid, "holdSeats", 3);
                    return new Receipt("holdSeats-1", 3);
                });

        assertThat(receipt).isEqualTo(new Receipt("holdSeats-1", 3));
        List<String> barrier = sent.stream().filter(sql -> sql.contains("tcc_barrier")).toList();
        assertThat(barrier).singleElement().asString().startsWith("INSERT INTO tcc_barrier");
        assertThat(indexOf(sent, "INSERT INTO hold_row")).isLessThan(indexOf(sent, "INSERT INTO tcc_barrier"));
        assertThat(payments.barrierState(xid, 1)).isEqualTo("TRIED");
        assertThat(TestDatabases.queryString(payments.dataSource(), "SELECT result FROM tcc_barrier WHERE xid = '" + xid + "'"))
                .contains("holdSeats-1");
    }

    @Test
    void aCancelThatFinishesWhileATryBodyRunsMakesTheTryRollBackItsBody() throws Exception {
        AtomicReference<Receipt> resultSeenByCancel = new AtomicReference<>();
        action("holdSeats", false, c -> { }, resultSeenByCancel);
        String xid = "hang-" + System.nanoTime();
        Instant deadline = clock.instant().plus(Duration.ofMinutes(1));
        BranchReference branch = new BranchReference(xid, 1, "holdSeats", "holdSeats", deadline, 1);
        AtomicReference<String> bodyRan = new AtomicReference<>();

        assertThatThrownBy(() -> runtime.participant("holdSeats").tryBranch(xid, 1, deadline, deadline,
                new Object[] {new Request(3)}, ctx -> {
                    Ledger.hold(runner().currentConnection(), xid, "holdSeats", 3);
                    // the cancel finds no row (an empty cancel) and commits its tombstone while this body runs
                    CompletableFuture.runAsync(() -> cancel(branch)).get(10, TimeUnit.SECONDS);
                    bodyRan.set("to the end");
                    return new Receipt("holdSeats-1", 3);
                }))
                .isInstanceOf(TryRefusedException.class)
                .hasMessageContaining("already cancelled")
                .hasMessageContaining(xid);

        assertThat(bodyRan.get()).isEqualTo("to the end");
        // the body's writes rolled back with the barrier insert that met the tombstone: the hanging try left nothing
        assertThat(payments.holdState(xid, "holdSeats")).isNull();
        assertThat(payments.runs(xid, "holdSeats", "TRY")).isZero();
        assertThat(payments.runs(xid, "holdSeats", "CANCEL")).isZero();
        assertThat(payments.barrierState(xid, 1)).isEqualTo("CANCELLED");
        assertThat(TestDatabases.queryString(payments.dataSource(), "SELECT result FROM tcc_barrier WHERE xid = '" + xid + "'"))
                .isNull();
    }

    @Test
    void aCancelArrivingBetweenTheTrysBarrierInsertAndItsCommitWaitsAndReleasesWhatTheTryCommitted() throws Exception {
        AtomicReference<Receipt> resultSeenByCancel = new AtomicReference<>();
        action("holdSeats", false, c -> { }, resultSeenByCancel);
        String xid = "wait-" + System.nanoTime();
        Instant deadline = clock.instant().plus(Duration.ofMinutes(1));
        BranchReference branch = new BranchReference(xid, 1, "holdSeats", "holdSeats", deadline, 1);
        AtomicReference<Object> trySession = new AtomicReference<>();
        CountDownLatch cancelDone = new CountDownLatch(1);
        AtomicReference<CompletableFuture<Void>> cancelling = new AtomicReference<>();
        // the try's barrier row is inserted but not committed: a cancel starts and must wait for the try's transaction
        paymentsSeenByTcc.beforeCommit(() -> {
            cancelling.set(CompletableFuture.runAsync(() -> cancel(branch)).whenComplete((v, e) -> cancelDone.countDown()));
            try {
                awaitCancelWaitingOrDone(trySession.get(), cancelDone);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });

        Receipt receipt = (Receipt) runtime.participant("holdSeats").tryBranch(xid, 1, deadline, deadline,
                new Object[] {new Request(3)}, ctx -> {
                    trySession.set(sessionOf(runner().currentConnection()));
                    Ledger.hold(runner().currentConnection(), xid, "holdSeats", 3);
                    return new Receipt("holdSeats-1", 3);
                });
        cancelling.get().get(20, TimeUnit.SECONDS);

        assertThat(receipt).isEqualTo(new Receipt("holdSeats-1", 3));
        assertThat(payments.barrierState(xid, 1)).isEqualTo("CANCELLED");
        assertThat(payments.holdState(xid, "holdSeats")).isEqualTo("RELEASED");
        assertThat(payments.runs(xid, "holdSeats", "CANCEL")).isEqualTo(1);
        assertThat(resultSeenByCancel.get()).isEqualTo(new Receipt("holdSeats-1", 3));
    }

    // ---------------------------------------------------------------- i: a cancel that loses the race

    @Test
    void aCancelThatLosesTheRaceToAConfirmReadsTheRowAgainAndIsRefused() throws Exception {
        AtomicReference<Receipt> resultSeenByCancel = new AtomicReference<>();
        action("holdSeats", false, c -> { }, resultSeenByCancel);
        String xid = "race-" + System.nanoTime();
        Instant deadline = clock.instant().plus(Duration.ofMinutes(1));
        runtime.participant("holdSeats").tryBranch(xid, 1, deadline, deadline, new Object[] {new Request(3)},
                ctx -> {
                    Ledger.hold(runner().currentConnection(), xid, "holdSeats", 3);
                    return new Receipt("holdSeats-1", 3);
                });
        BranchReference branch = new BranchReference(xid, 1, "holdSeats", "holdSeats", deadline, 1);
        // the cancel has read the row TRIED; just before its conditional update another driver confirms
        paymentsSeenByTcc.beforeStatement(sql -> sql.contains("UPDATE tcc_barrier SET state"),
                () -> CompletableFuture.runAsync(() -> confirm(branch)).join());

        assertThatThrownBy(() -> runtime.participant("holdSeats").cancel(branch))
                .isInstanceOf(CancelRefusedException.class)
                .hasMessageContaining("already CONFIRMED")
                .hasMessageContaining(xid);

        assertThat(payments.barrierState(xid, 1)).isEqualTo("CONFIRMED");
        assertThat(payments.holdState(xid, "holdSeats")).isEqualTo("CONFIRMED");
        assertThat(payments.runs(xid, "holdSeats", "CANCEL")).isZero();
        assertThat(payments.runs(xid, "holdSeats", "CONFIRM")).isEqualTo(1);
    }

    @Test
    void aCancelThatLosesTheRaceToAnotherCancelSucceedsAndRunsNothing() throws Exception {
        AtomicReference<Receipt> resultSeenByCancel = new AtomicReference<>();
        action("holdSeats", false, c -> { }, resultSeenByCancel);
        String xid = "race-" + System.nanoTime();
        Instant deadline = clock.instant().plus(Duration.ofMinutes(1));
        runtime.participant("holdSeats").tryBranch(xid, 1, deadline, deadline, new Object[] {new Request(3)},
                ctx -> {
                    Ledger.hold(runner().currentConnection(), xid, "holdSeats", 3);
                    return new Receipt("holdSeats-1", 3);
                });
        BranchReference branch = new BranchReference(xid, 1, "holdSeats", "holdSeats", deadline, 1);
        paymentsSeenByTcc.beforeStatement(sql -> sql.contains("UPDATE tcc_barrier SET state"),
                () -> CompletableFuture.runAsync(() -> cancel(branch.withAttempt(2))).join());

        runtime.participant("holdSeats").cancel(branch);

        assertThat(payments.barrierState(xid, 1)).isEqualTo("CANCELLED");
        assertThat(payments.holdState(xid, "holdSeats")).isEqualTo("RELEASED");
        assertThat(payments.runs(xid, "holdSeats", "CANCEL")).isEqualTo(1);
    }

    // ---------------------------------------------------------------- a body whose transaction is rolled back underneath it

    @Test
    void aConfirmBodyThatSwallowsTheRollbackOfItsTransactionIsNotDoneAndRunsAgainOnTheNextDelivery() throws Exception {
        BranchReference branch = triedBranchWhoseSecondBodyRollsBackUnderItself("CONFIRM");

        assertThatThrownBy(() -> runtime.participant("holdSeats").confirm(branch))
                .isInstanceOf(dev.tcc.runtime.barrier.BarrierMoveLostException.class)
                .hasMessageContaining(branch.xid());
        assertThat(payments.barrierState(branch.xid(), 1)).isEqualTo("TRIED");
        assertThat(payments.runs(branch.xid(), "holdSeats", "CONFIRM")).as("nothing of the failed delivery commits").isZero();

        runtime.participant("holdSeats").confirm(branch.withAttempt(2));

        assertThat(payments.barrierState(branch.xid(), 1)).isEqualTo("CONFIRMED");
        assertThat(payments.holdState(branch.xid(), "holdSeats")).isEqualTo("CONFIRMED");
        assertThat(payments.runs(branch.xid(), "holdSeats", "CONFIRM")).isEqualTo(1);
    }

    @Test
    void aCancelBodyThatSwallowsTheRollbackOfItsTransactionIsNotDoneAndRunsAgainOnTheNextDelivery() throws Exception {
        BranchReference branch = triedBranchWhoseSecondBodyRollsBackUnderItself("CANCEL");

        assertThatThrownBy(() -> runtime.participant("holdSeats").cancel(branch))
                .isInstanceOf(dev.tcc.runtime.barrier.BarrierMoveLostException.class);
        assertThat(payments.barrierState(branch.xid(), 1)).isEqualTo("TRIED");
        assertThat(payments.runs(branch.xid(), "holdSeats", "CANCEL")).isZero();

        runtime.participant("holdSeats").cancel(branch.withAttempt(2));

        assertThat(payments.barrierState(branch.xid(), 1)).isEqualTo("CANCELLED");
        assertThat(payments.holdState(branch.xid(), "holdSeats")).isEqualTo("RELEASED");
        assertThat(payments.runs(branch.xid(), "holdSeats", "CANCEL")).isEqualTo(1);
    }

    /**
     * A tried branch of an action whose first {@code phase} body does what a body catching H2's
     * deadlock does: its transaction is rolled back, and it carries on in a fresh one.
     */
    private BranchReference triedBranchWhoseSecondBodyRollsBackUnderItself(String phase) throws Exception {
        java.util.concurrent.atomic.AtomicInteger bodies = new java.util.concurrent.atomic.AtomicInteger();
        TccActionBodyInPhase body = (c, xid, state) -> {
            if (bodies.incrementAndGet() == 1) {
                c.rollback(); // what H2 does on a deadlock (40001) that the body catches and ignores
            }
            Ledger.settle(c, xid, "holdSeats", phase, state);
        };
        runtime.action("holdSeats", Request.class, Receipt.class)
                .database("payments-db", paymentsSeenByTcc.dataSource())
                .hold(Duration.ofMinutes(1))
                .onTry((c, r, ctx) -> new Receipt("holdSeats-" + ctx.branchId(), r.amount()))
                .onConfirm((c, r, ctx) -> body.run(c, ctx.xid(), "CONFIRMED"))
                .onCancel((c, r, ctx) -> body.run(c, ctx.xid(), "RELEASED"))
                .register();
        String xid = "rollback-under-" + System.nanoTime();
        Instant deadline = clock.instant().plus(Duration.ofMinutes(1));
        runtime.participant("holdSeats").tryBranch(xid, 1, deadline, deadline, new Object[] {new Request(3)},
                ctx -> {
                    Ledger.hold(runner().currentConnection(), xid, "holdSeats", 3);
                    return new Receipt("holdSeats-1", 3);
                });
        return new BranchReference(xid, 1, "holdSeats", "holdSeats", deadline, 1);
    }

    @FunctionalInterface
    private interface TccActionBodyInPhase {
        void run(Connection c, String xid, String state) throws Exception;
    }

    // ---------------------------------------------------------------- helpers

    private dev.tcc.runtime.jdbc.JdbcLocalTransactionRunner runner() {
        return (dev.tcc.runtime.jdbc.JdbcLocalTransactionRunner) runtime.participant("holdSeats").database().runner();
    }

    private void cancel(BranchReference branch) {
        try {
            runtime.participant(branch.action()).cancel(branch);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private void confirm(BranchReference branch) {
        try {
            runtime.participant(branch.action()).confirm(branch);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Waits until {@code done} or until another session waits for {@code session}'s lock (PostgreSQL), or
     * is inside its barrier insert (H2, whose wait on a uniqueness check names no blocker; it retries the
     * insert until the other transaction ends, so once inside, it is certain to see what this one commits).
     */
    private void awaitCancelWaitingOrDone(Object session, CountDownLatch done) throws Exception {
        if (kind() != TestDatabases.Kind.H2) {
            awaitBlockedOrDone(session, done);
            return;
        }
        long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < giveUp) {
            if (done.await(5, TimeUnit.MILLISECONDS)) {
                return;
            }
            try (Connection c = payments.dataSource().getConnection(); PreparedStatement ps = c.prepareStatement(
                    "SELECT COUNT(*) FROM INFORMATION_SCHEMA.SESSIONS WHERE SESSION_ID <> ?"
                            + " AND EXECUTING_STATEMENT LIKE 'INSERT INTO tcc_barrier%'")) {
                ps.setObject(1, session);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    if (rs.getLong(1) > 0) {
                        return;
                    }
                }
            }
        }
        throw new AssertionError("neither did the cancel finish nor did it reach the barrier insert");
    }

    private static int indexOf(List<String> statements, String prefix) {
        for (int i = 0; i < statements.size(); i++) {
            if (statements.get(i).startsWith(prefix)) {
                return i;
            }
        }
        throw new AssertionError("no statement starting with [" + prefix + "] in " + statements);
    }

    /** The database's id of the session behind {@code c}. */
    private Object sessionOf(Connection c) throws SQLException {
        String sql = kind() == TestDatabases.Kind.H2 ? "SELECT SESSION_ID()" : "SELECT pg_backend_pid()";
        try (PreparedStatement ps = c.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getObject(1);
        }
    }

    /** Waits until {@code done} or until another session waits for a lock that {@code session} holds. */
    private void awaitBlockedOrDone(Object session, CountDownLatch done) throws Exception {
        String sql = kind() == TestDatabases.Kind.H2
                ? "SELECT COUNT(*) FROM INFORMATION_SCHEMA.SESSIONS WHERE BLOCKER_ID = ?"
                : "SELECT COUNT(*) FROM pg_stat_activity WHERE ? = ANY(pg_blocking_pids(pid))";
        long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < giveUp) {
            if (done.await(5, TimeUnit.MILLISECONDS)) {
                return;
            }
            try (Connection c = payments.dataSource().getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setObject(1, session);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    if (rs.getLong(1) > 0) {
                        return;
                    }
                }
            }
        }
        throw new AssertionError("neither did hold expiry finish nor did it wait for the try body's transaction");
    }
}

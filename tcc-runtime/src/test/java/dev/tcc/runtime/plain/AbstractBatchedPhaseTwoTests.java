package dev.tcc.runtime.plain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import dev.tcc.runtime.TccRuntime;
import dev.tcc.api.operations.TransactionState;
import dev.tcc.runtime.model.TccSettings;
import dev.tcc.runtime.model.TransactionOptions;
import dev.tcc.runtime.testing.TestDatabases;
import dev.tcc.spi.TccEvent;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Asynchronous phase two on the runtime's own executor, batched across transactions: many
 * concurrent transactions end confirmed or cancelled with every body run exactly once, each in
 * its own transaction's order, and a branch that fails inside a batch is driven again alone.
 * Runs on H2 and on PostgreSQL, whose batches use set-based statements.
 *
 * <p>When a body fails inside a batch, the batch's fast pass (no savepoints) rolls back and its
 * careful pass runs every body of it again: what counts there is that each body took effect
 * (committed) once, which the tests read from {@code body_run}; invocations count every run.
 */
abstract class AbstractBatchedPhaseTwoTests {

    abstract TestDatabases.Kind kind();

    private final List<HikariDataSource> dataSources = new ArrayList<>();
    private final Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();
    private final AtomicInteger confirmFailuresLeft = new AtomicInteger();
    private final AtomicInteger finished = new AtomicInteger();
    /** Body invocations per xid, action and phase, counted when the body starts (whether it then commits or not). */
    private final Map<String, AtomicInteger> invocations = new ConcurrentHashMap<>();
    private final CountDownLatch gateEntered = new CountDownLatch(1);
    private final CountDownLatch gateOpen = new CountDownLatch(1);
    /** Bodies waiting at the gate now. */
    private final AtomicInteger atTheGate = new AtomicInteger();
    private TccRuntime runtime;
    private final List<TccAction<String, String>> actions = new ArrayList<>();

    @BeforeEach
    void setUp() {
        HikariDataSource log = database("log");
        runtime = TccRuntime.builder().transactionLog(log).initializeSchema(true)
                // one drainer: what is decided while the gate holds it forms the next batch
                .settings(TccSettings.builder().phaseTwoBatchSize(64).phaseTwoDrainers(1).phaseTwoFinishLinger(Duration.ofMillis(5))
                        .phaseTwoShutdownTimeout(SHUTDOWN_TIMEOUT).build())
                .listener(e -> {
                    if (e.type() == TccEvent.Type.TRANSACTION_FINISHED) {
                        finished.incrementAndGet();
                    }
                })
                .build();
        for (String name : List.of("seats", "rooms", "payments")) {
            HikariDataSource db = database(name);
            TestDatabases.execute(db, "CREATE TABLE body_run (xid VARCHAR(64), phase VARCHAR(16), at BIGINT)");
        }
        register(runtime, actions);
    }

    private static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(2);

    /** The three actions, with the bodies of this test, on {@code tcc}. */
    private void register(TccRuntime tcc, List<TccAction<String, String>> into) {
        for (String name : List.of("seats", "rooms", "payments")) {
            HikariDataSource db = dataSources.get(1 + List.of("seats", "rooms", "payments").indexOf(name));
            into.add(tcc.action(name, String.class, String.class)
                    .database(name, db)
                    .onTry((c, arg, ctx) -> {
                        if (arg.equals("decline")) {
                            throw new IllegalStateException("declined");
                        }
                        return ran(c, ctx.xid(), name, "TRY");
                    })
                    .onConfirm((c, arg, ctx) -> {
                        int invocation = invoked(ctx.xid(), name, "CONFIRM");
                        if (arg.equals("gate-when-alone") && invocation <= 2) {
                            throw new IllegalStateException(name + " fails in the batch's passes");
                        }
                        if (arg.equals("gate") || arg.equals("gate-when-alone")) {
                            atTheGate.incrementAndGet();
                            gateEntered.countDown();
                            // longer than a test awaits anything, so a test fails on what it awaits, not on this
                            assertThat(gateOpen.await(90, TimeUnit.SECONDS)).isTrue();
                            atTheGate.decrementAndGet();
                        }
                        // "flaky..." and "deadlock" fail in both passes of the batch (fast, careful), and work alone
                        if (arg.equals("flaky-after-write") && invocation <= 2) {
                            ran(c, ctx.xid(), name, "CONFIRM"); // written, then the body fails: its savepoint must undo this
                            throw new IllegalStateException(name + " failed after writing");
                        }
                        if (arg.equals("broken") || arg.equals("flaky") && invocation <= 2) {
                            throw new IllegalStateException(name + " unavailable");
                        }
                        if (arg.equals("rollbackunder") && invocation == 1) {
                            c.rollback(); // what H2 does on a deadlock (40001) that the body catches and ignores
                            return;
                        }
                        if (arg.equals("deadlock") && invocation <= 2) {
                            throw new java.sql.SQLTransactionRollbackException("deadlock detected", "40P01");
                        }
                        if (arg.equals("swallow") && invocation == 1) {
                            try (java.sql.Statement st = c.createStatement()) {
                                st.execute("SELECT * FROM no_such_table_review");
                            } catch (java.sql.SQLException swallowed) {
                                // a body that catches a database error and carries on
                            }
                            return;
                        }
                        if (name.equals("rooms") && confirmFailuresLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                            throw new IllegalStateException("rooms unavailable");
                        }
                        ran(c, ctx.xid(), name, "CONFIRM");
                    })
                    .onCancel((c, arg, ctx) -> ran(c, ctx.xid(), name, "CANCEL"))
                    .register());
        }
    }

    private HikariDataSource database(String name) {
        HikariDataSource ds = TestDatabases.create(kind(), name);
        dataSources.add(ds);
        return ds;
    }

    private int invoked(String xid, String action, String phase) {
        return invocations.computeIfAbsent(xid + " " + action + " " + phase, k -> new AtomicInteger()).incrementAndGet();
    }

    private int invocations(String xid, String action, String phase) {
        AtomicInteger n = invocations.get(xid + " " + action + " " + phase);
        return n == null ? 0 : n.get();
    }

    private String ran(java.sql.Connection c, String xid, String action, String phase) throws Exception {
        runs.computeIfAbsent(action + " " + phase, k -> new AtomicInteger()).incrementAndGet();
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO body_run VALUES (?, ?, ?)")) {
            ps.setString(1, xid);
            ps.setString(2, phase);
            ps.setLong(3, System.nanoTime());
            ps.executeUpdate();
        }
        return phase;
    }

    @AfterEach
    void tearDown() {
        runtime.close();
        dataSources.forEach(HikariDataSource::close);
    }

    private String book(String seats, String rooms, String payments) throws Exception {
        return runtime.execute(TransactionOptions.named("book"), () -> {
            actions.get(0).tryAction(seats);
            actions.get(1).tryAction(rooms);
            actions.get(2).tryAction(payments);
            return dev.tcc.runtime.coordinator.TransactionContextHolder.current().xid();
        });
    }

    /** Holds the drainer inside the seats confirm of a first transaction, so what is decided meanwhile forms the next batch. */
    private String holdTheDrainer() throws Exception {
        String xid = book("gate", "ok", "ok");
        assertThat(gateEntered.await(30, TimeUnit.SECONDS)).isTrue();
        return xid;
    }

    @Test
    void closeReturnsWithinTheShutdownTimeoutAndLeavesWhatIsStillQueuedDecidedInTheLogForRecovery() throws Exception {
        String inFlight = holdTheDrainer();
        List<String> queued = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            queued.add(book("ok", "ok", "ok"));
        }

        long start = System.nanoTime();
        runtime.close();
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        String afterClose = book("ok", "ok", "ok"); // decided after close: its phase two is left to recovery too
        gateOpen.countDown();

        assertThat(took).isGreaterThanOrEqualTo(SHUTDOWN_TIMEOUT).isLessThan(SHUTDOWN_TIMEOUT.plusSeconds(2));
        assertThat(runtime.phaseTwoLeftToRecovery()).isEqualTo(21);
        for (String xid : queued) {
            assertThat(runtime.find(xid).orElseThrow().state()).as("decided, waiting for recovery").isEqualTo(TransactionState.CONFIRMING);
        }
        await(() -> invocations(inFlight, "payments", "CONFIRM") == 1); // the round in flight was not interrupted

        // another instance, once the leases ended, drives what was left: every body once, nothing lost
        List<TccAction<String, String>> recovered = new ArrayList<>();
        try (TccRuntime recovering = TccRuntime.builder().transactionLog(dataSources.get(0))
                .clock(java.time.Clock.offset(java.time.Clock.systemUTC(), Duration.ofMinutes(1)))
                .settings(TccSettings.builder().asynchronousPhaseTwo(false).build()).build()) {
            register(recovering, recovered);
            recovering.coordinatorRecovery().runOnce();
        }
        List<String> all = new ArrayList<>(queued);
        all.add(inFlight);
        all.add(afterClose);
        for (String xid : all) {
            assertThat(runtime.find(xid).orElseThrow().state()).isEqualTo(TransactionState.CONFIRMED);
            for (String action : List.of("seats", "rooms", "payments")) {
                assertThat(invocations(xid, action, "CONFIRM")).as(action + " of " + xid).isEqualTo(1);
            }
        }
    }

    @Test
    void theBatchsOneByOneFallbackContinuesTheStoredRoundCount() throws Exception {
        holdTheDrainer();
        String xid = book("ok", "broken", "ok");
        // while it waited in the queue, its lease ended and recovery spent 9 of its 10 rounds on it
        TestDatabases.execute(dataSources.get(0), "UPDATE tcc_transaction SET rounds = 9, lease_owner = NULL, lease_until = NULL"
                + " WHERE xid = '" + xid + "'");

        gateOpen.countDown();

        await(() -> runtime.find(xid).orElseThrow().state() != TransactionState.CONFIRMING
                || runtime.find(xid).orElseThrow().rounds() > 9);
        var tx = runtime.find(xid).orElseThrow();
        assertThat(tx.rounds()).isEqualTo(10);
        assertThat(tx.state()).as("its budget of rounds is spent").isEqualTo(TransactionState.FAILED);
    }

    private static void await(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition not reached in 30 s").isLessThan(deadline);
            Thread.sleep(1);
        }
    }

    @Test
    void aBodySwallowingAnSqlErrorDoesNotMakeTheOtherBodiesOfTheBatchTakeEffectTwice() throws Exception {
        holdTheDrainer();
        List<String> xids = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            xids.add(book("ok", i == 4 ? "swallow" : "ok", "ok"));
        }
        gateOpen.countDown();
        awaitFinished(11);

        for (String xid : xids) {
            assertThat(runtime.find(xid).orElseThrow().state()).isEqualTo(TransactionState.CONFIRMED);
            if (!xid.equals(xids.get(4))) {
                // PostgreSQL aborts the swallower's transaction: the fast pass rolls back, the careful pass runs every
                // body again (the swallower works then): each committed once
                assertThat(confirmRowsOnRooms(xid)).as("committed rooms confirms of " + xid).isEqualTo(1);
            }
        }
        assertThat(TestDatabases.queryLong(dataSources.get(2), "SELECT COUNT(*) FROM body_run WHERE phase = 'CONFIRM'"
                + " AND xid <> '" + xids.get(4) + "'")).as("the gate's and one per other transaction").isEqualTo(10);
        assertThat(TestDatabases.queryLong(dataSources.get(2), "SELECT COUNT(*) FROM tcc_barrier WHERE state = 'TRIED'")).isZero();
    }

    @Test
    void aBodyWhoseTransactionWasRolledBackUnderItIsNotReportedDone() throws Exception {
        holdTheDrainer();
        List<String> xids = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            xids.add(book("ok", i == 4 ? "rollbackunder" : "ok", "ok"));
        }
        gateOpen.countDown();
        awaitFinished(11);

        // the whole batch on rooms rolled back and reported nothing done: every branch went again one by one
        for (String xid : xids) {
            assertThat(runtime.find(xid).orElseThrow().state()).isEqualTo(TransactionState.CONFIRMED);
        }
        assertThat(TestDatabases.queryLong(dataSources.get(2), "SELECT COUNT(*) FROM tcc_barrier WHERE state = 'TRIED'")).isZero();
        assertThat(TestDatabases.queryLong(dataSources.get(2), "SELECT COUNT(*) FROM (SELECT xid FROM body_run"
                + " WHERE phase = 'CONFIRM' GROUP BY xid HAVING COUNT(*) > 1) twice")).as("bodies committed twice").isZero();
        assertThat(committedBodies(dataSources.get(2), "CONFIRM")).isEqualTo(11);
    }

    @Test
    void aBodyFailingWithADeadlockMakesOnlyItRunAgainWhereTheDatabaseKeepsTheSavepoints() throws Exception {
        holdTheDrainer();
        List<String> xids = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            xids.add(book("ok", i == 4 ? "deadlock" : "ok", "ok"));
        }
        gateOpen.countDown();
        awaitFinished(11);

        boolean savepointsSurvive = kind() == TestDatabases.Kind.POSTGRESQL; // H2 rolls back the whole transaction instead
        for (String xid : xids) {
            assertThat(runtime.find(xid).orElseThrow().state()).isEqualTo(TransactionState.CONFIRMED);
            assertThat(confirmRowsOnRooms(xid)).as("committed rooms confirms of " + xid).isEqualTo(1);
            int position = xids.indexOf(xid);
            if (position != 4) {
                // the fast pass stops at the failing body, so only those before it ran there; then the careful pass: on
                // PostgreSQL it undoes only the failing body to its savepoint, on H2 it rolls back whole at that body
                // and every branch goes alone
                int expected = position < 4 ? (savepointsSurvive ? 2 : 3) : 1;
                assertThat(invocations(xid, "rooms", "CONFIRM")).as("rooms of " + xid).isEqualTo(expected);
            }
        }
        assertThat(invocations(xids.get(4), "rooms", "CONFIRM")).as("both passes of the batch, then alone").isEqualTo(3);
        assertThat(committedBodies(dataSources.get(2), "CONFIRM")).isEqualTo(11);
    }

    private static long committedBodies(javax.sql.DataSource db, String phase) {
        return TestDatabases.queryLong(db, "SELECT COUNT(*) FROM body_run WHERE phase = '" + phase + "'");
    }

    @Test
    void aBodyFailingInsideABatchIsTheOnlyOneRunAgainEveryOtherBodyRunsExactlyOnce() throws Exception {
        holdTheDrainer();
        List<String> xids = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            xids.add(book("ok", i == 4 ? "flaky" : "ok", "ok"));
        }
        gateOpen.countDown();
        awaitFinished(11);

        for (String xid : xids) {
            // the rooms bodies before the failing one ran in the fast pass, which stopped and rolled back there; every
            // one ran in the careful pass; the failing one, and only it, then runs alone
            int position = xids.indexOf(xid);
            int roomsExpected = position == 4 ? 3 : position < 4 ? 2 : 1;
            assertThat(invocations(xid, "seats", "CONFIRM")).as("seats of " + xid).isEqualTo(1);
            assertThat(invocations(xid, "rooms", "CONFIRM")).as("rooms of " + xid).isEqualTo(roomsExpected);
            assertThat(confirmRowsOnRooms(xid)).as("committed rooms confirms of " + xid).isEqualTo(1);
            assertThat(invocations(xid, "payments", "CONFIRM")).as("payments of " + xid).isEqualTo(1);
            assertThat(runtime.find(xid).orElseThrow().state()).isEqualTo(TransactionState.CONFIRMED);
        }
        assertThat(committedBodies(dataSources.get(2), "CONFIRM")).isEqualTo(11);
    }

    @Test
    void whatABodyWroteBeforeFailingInsideABatchIsUndoneAndItsBranchConfirmedOnceWhileTheOthersCommit() throws Exception {
        holdTheDrainer();
        List<String> xids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            xids.add(book("ok", i == 2 ? "flaky-after-write" : "ok", "ok"));
        }
        gateOpen.countDown();
        awaitFinished(6);

        for (String xid : xids) {
            assertThat(confirmRowsOnRooms(xid)).as("rooms confirm rows of " + xid).isEqualTo(1);
            assertThat(barrierStateOnRooms(xid)).as("rooms barrier row of " + xid).isEqualTo("CONFIRMED");
            assertThat(runtime.find(xid).orElseThrow().state()).isEqualTo(TransactionState.CONFIRMED);
        }
        // the failed runs of the fast and the careful pass (undone to its savepoint there), and the one alone
        assertThat(invocations(xids.get(2), "rooms", "CONFIRM")).isEqualTo(3);
    }

    private long confirmRowsOnRooms(String xid) throws Exception {
        try (var c = dataSources.get(2).getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM body_run WHERE xid = ? AND phase = 'CONFIRM'")) {
            ps.setString(1, xid);
            try (var rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private String barrierStateOnRooms(String xid) throws Exception {
        try (var c = dataSources.get(2).getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT state FROM tcc_barrier WHERE xid = ?")) {
            ps.setString(1, xid);
            try (var rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    @Test
    void severalDrainersPipelineBatchesThroughTheDatabasesWithOneBatchPerDatabaseAtATime() throws Exception {
        runtime.close();
        actions.clear();
        runtime = TccRuntime.builder().transactionLog(dataSources.get(0))
                // batches of 2: a second drainer starts once a whole batch waits behind the held one
                .settings(TccSettings.builder().phaseTwoBatchSize(2).phaseTwoDrainers(2).phaseTwoFinishLinger(Duration.ofMillis(5))
                        .build())
                .listener(e -> {
                    if (e.type() == TccEvent.Type.TRANSACTION_FINISHED) {
                        finished.incrementAndGet();
                    }
                })
                .build();
        register(runtime, actions);
        String held = book("ok", "gate", "ok"); // its batch confirmed seats and now holds rooms at the gate
        assertThat(gateEntered.await(30, TimeUnit.SECONDS)).isTrue();
        List<String> next = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            next.add(book("ok", "ok", "ok"));
        }

        // the second drainer confirms seats of what came next while the first batch is still on rooms
        await(() -> confirmedOn(1, next) >= 1);
        assertThat(confirmedOn(2, next)).as("rooms is the held batch's until it commits: one batch per database").isZero();

        gateOpen.countDown();
        awaitFinished(6);
        List<String> all = new ArrayList<>(next);
        all.add(held);
        for (int database = 1; database <= 3; database++) {
            assertThat(confirmedOn(database, all)).as("every confirm body took effect once").isEqualTo(6);
        }
    }

    @Test
    void aTransactionGoingOneByOneDoesNotHoldUpTheBatchesBehindIt() throws Exception {
        restart(4, 3);
        // its rooms confirm fails in the batch, then its one-by-one round waits at the gate (a slow retry, a locked row)
        String alone = book("ok", "gate-when-alone", "ok");
        assertThat(gateEntered.await(30, TimeUnit.SECONDS)).isTrue();

        List<String> next = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            next.add(book("ok", "ok", "ok"));
        }
        // fewer than a batch wait, so no further drainer starts: the one that ran the batch must be free for them
        awaitState(next, TransactionState.CONFIRMED);
        assertThat(runtime.find(alone).orElseThrow().state()).isEqualTo(TransactionState.CONFIRMING);

        gateOpen.countDown();
        awaitState(List.of(alone), TransactionState.CONFIRMED);
    }

    @Test
    void asManyOneByOneRoundsWaitingAsThereArePhaseTwoThreadsDoNotHoldUpTheBatchesBehindThem() throws Exception {
        restart(2, 3);
        // each fails its rooms confirm in the batch, then its one-by-one round waits at the gate (a slow retry, a locked
        // row): one round a phase-two thread
        List<String> alone = new ArrayList<>();
        for (int i = 1; i <= 2; i++) {
            alone.add(book("ok", "gate-when-alone", "ok"));
            int gated = i;
            await(() -> atTheGate.get() == gated);
        }

        List<String> next = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            next.add(book("ok", "ok", "ok"));
        }
        // their drainer must find a thread although every phase-two thread runs a round that waits
        awaitState(next, TransactionState.CONFIRMED);
        awaitState(alone, TransactionState.CONFIRMING);

        gateOpen.countDown();
        awaitState(alone, TransactionState.CONFIRMED);
    }

    /** Closes the runtime of {@link #setUp} and starts one with these phase-two threads and drainers (batches of 64). */
    private void restart(int phaseTwoThreads, int drainers) {
        runtime.close();
        actions.clear();
        runtime = TccRuntime.builder().transactionLog(dataSources.get(0)).phaseTwoThreads(phaseTwoThreads)
                .settings(TccSettings.builder().phaseTwoBatchSize(64).phaseTwoDrainers(drainers).phaseTwoFinishLinger(Duration.ofMillis(5))
                        .phaseTwoShutdownTimeout(SHUTDOWN_TIMEOUT).build())
                .build();
        register(runtime, actions);
    }

    private void awaitState(List<String> xids, TransactionState state) throws InterruptedException {
        await(() -> xids.stream().allMatch(x -> runtime.find(x).orElseThrow().state() == state));
    }

    /** Committed confirm bodies of {@code xids} on participant database {@code database} (1 seats, 2 rooms, 3 payments). */
    private long confirmedOn(int database, List<String> xids) {
        return TestDatabases.queryLong(dataSources.get(database), "SELECT COUNT(*) FROM body_run WHERE phase = 'CONFIRM'"
                + " AND xid IN ('" + String.join("', '", xids) + "')");
    }

    @Test
    void anUnloggedCancelStillQueuedAtShutdownIsNotCountedAsADecidedTransactionLeftToRecovery() throws Exception {
        restart(1, 1);
        // the only phase-two thread runs a one-by-one round that waits at the gate
        book("ok", "gate-when-alone", "ok");
        assertThat(gateEntered.await(30, TimeUnit.SECONDS)).isTrue();
        // a participant's question about an expiring hold decided cancel first: the initiator's own cancel is not logged
        assertThatThrownBy(() -> runtime.execute(TransactionOptions.named("book"), () -> {
            actions.get(0).tryAction("ok");
            TestDatabases.execute(dataSources.get(0), "INSERT INTO tcc_transaction (xid, name, state, decision, created_at,"
                    + " timeout_at, decided_at, finished_at, rounds) VALUES ('" + dev.tcc.runtime.coordinator.TransactionContextHolder
                    .current().xid() + "', 'book', 'CANCELLED', 'CANCEL', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP,"
                    + " CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 0)");
            throw new IllegalStateException("declined");
        })).isInstanceOf(IllegalStateException.class);

        runtime.close();
        gateOpen.countDown();

        assertThat(runtime.phaseTwoLeftToRecovery()).isZero();
    }

    @Test
    void aOneByOneRoundStillQueuedAtShutdownIsLeftToRecoveryAndCounted() throws Exception {
        restart(1, 1);
        // the only phase-two thread runs a one-by-one round that waits at the gate
        String running = book("ok", "gate-when-alone", "ok");
        assertThat(gateEntered.await(30, TimeUnit.SECONDS)).isTrue();
        // fails in both passes of its batch: its one-by-one round queues behind the one at the gate
        String queued = book("ok", "flaky", "ok");
        await(() -> invocations(queued, "rooms", "CONFIRM") == 2);

        runtime.close();
        gateOpen.countDown();

        assertThat(runtime.phaseTwoLeftToRecovery()).as("the queued round; the one in flight was not interrupted").isEqualTo(1);
        awaitState(List.of(running), TransactionState.CONFIRMED);
        assertThat(invocations(queued, "rooms", "CONFIRM")).as("no round of its own ran").isEqualTo(2);
        assertThat(runtime.find(queued).orElseThrow().state()).as("decided, waiting for recovery")
                .isEqualTo(TransactionState.CONFIRMING);
    }

    @Test
    void theBatchsOneByOneFallbackLeavesATransactionThatAnotherDriverTookOver() throws Exception {
        holdTheDrainer();
        String xid = book("ok", "broken", "ok");
        String later = java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss")
                .format(java.time.LocalDateTime.now(java.time.ZoneOffset.UTC).plusHours(1));
        TestDatabases.execute(dataSources.get(0), "UPDATE tcc_transaction SET lease_owner = 'other-driver', lease_until = "
                + "TIMESTAMP WITH TIME ZONE '" + later + "+00' WHERE xid = '" + xid + "'");

        gateOpen.countDown();
        await(() -> invocations(xid, "rooms", "CONFIRM") >= 1); // the batch tried it; its fallback comes next
        runtime.close(); // lets the drainer finish what it has

        var tx = runtime.find(xid).orElseThrow();
        assertThat(tx.state()).isEqualTo(TransactionState.CONFIRMING);
        assertThat(tx.leaseOwner()).isEqualTo("other-driver");
        assertThat(tx.rounds()).isZero();
        assertThat(invocations(xid, "rooms", "CONFIRM")).as("only the batch's two passes, no round of its own").isEqualTo(2);
    }

    private String book(boolean decline) throws Exception {
        return runtime.execute(TransactionOptions.named("book"), () -> {
            actions.get(0).tryAction("ok");
            actions.get(1).tryAction("ok");
            actions.get(2).tryAction(decline ? "decline" : "ok");
            return dev.tcc.runtime.coordinator.TransactionContextHolder.current().xid();
        });
    }

    @Test
    void concurrentTransactionsAreConfirmedAndCancelledInBatchesWithEveryBodyRunOnce() throws Exception {
        int threads = 6;
        int perThread = 50;
        List<String> confirmed = new ArrayList<>();
        List<Throwable> failures = new ArrayList<>();
        CountDownLatch done = new CountDownLatch(threads);
        for (int t = 0; t < threads; t++) {
            int thread = t;
            new Thread(() -> {
                try {
                    for (int i = 0; i < perThread; i++) {
                        boolean decline = (thread * perThread + i) % 4 == 0;
                        try {
                            String xid = book(decline);
                            synchronized (confirmed) {
                                confirmed.add(xid);
                            }
                        } catch (IllegalStateException e) {
                            assertThat(decline).isTrue();
                        }
                    }
                } catch (Throwable e) {
                    synchronized (failures) {
                        failures.add(e);
                    }
                } finally {
                    done.countDown();
                }
            }).start();
        }
        assertThat(done.await(60, TimeUnit.SECONDS)).isTrue();
        assertThat(failures).isEmpty();
        awaitFinished(threads * perThread);

        int declined = threads * perThread / 4;
        assertThat(confirmed).hasSize(threads * perThread - declined);
        for (String name : List.of("seats", "rooms", "payments")) {
            assertThat(count(name + " CONFIRM")).as(name).isEqualTo(confirmed.size());
        }
        assertThat(count("seats CANCEL")).isEqualTo(declined);
        assertThat(count("rooms CANCEL")).isEqualTo(declined);
        assertThat(count("payments CANCEL")).isZero(); // its try rolled back: nothing to cancel
        assertThat(runtime.countByState()).containsOnlyKeys(TransactionState.CONFIRMED, TransactionState.CANCELLED);
        assertThat(runtime.countByState().get(TransactionState.CONFIRMED)).isEqualTo(confirmed.size());
        for (String xid : confirmed.subList(0, 20)) {
            assertThat(runtime.find(xid).orElseThrow().branches()).hasSize(3).allSatisfy(b -> {
                assertThat(b.state()).isEqualTo(dev.tcc.api.operations.BranchState.CONFIRMED);
                assertThat(b.attempts()).isEqualTo(1);
            });
        }
        // every barrier row left TRIED, and every body ran in its own transaction's try order
        for (int db = 1; db <= 3; db++) {
            assertThat(TestDatabases.queryLong(dataSources.get(db), "SELECT COUNT(*) FROM tcc_barrier WHERE state = 'TRIED'"))
                    .isZero();
        }
        for (String xid : confirmed.subList(0, 20)) {
            assertThat(confirmedAt(1, xid)).isLessThan(confirmedAt(2, xid));
            assertThat(confirmedAt(2, xid)).isLessThan(confirmedAt(3, xid));
        }
    }

    @Test
    void aConfirmFailingInsideABatchIsDrivenAgainAloneAndRunsOnce() throws Exception {
        confirmFailuresLeft.set(1);
        String xid = book(false);
        awaitFinished(1);

        assertThat(runtime.find(xid).orElseThrow().state()).isEqualTo(TransactionState.CONFIRMED);
        assertThat(count("seats CONFIRM")).isEqualTo(1);
        assertThat(count("rooms CONFIRM")).isEqualTo(1);
        assertThat(count("payments CONFIRM")).isEqualTo(1);
    }

    @Test
    void aDeclinedTryCancelsTheOthersInReverseOrder() throws Exception {
        assertThatThrownBy(() -> book(true)).hasMessage("declined");
        awaitFinished(1);

        long seatsAt = at(1, "CANCEL");
        long roomsAt = at(2, "CANCEL");
        assertThat(roomsAt).isLessThan(seatsAt);
    }

    private long confirmedAt(int database, String xid) {
        return TestDatabases.queryLong(dataSources.get(database),
                "SELECT at FROM body_run WHERE phase = 'CONFIRM' AND xid = '" + xid + "'");
    }

    private long at(int database, String phase) {
        return TestDatabases.queryLong(dataSources.get(database), "SELECT MAX(at) FROM body_run WHERE phase = '" + phase + "'");
    }

    private int count(String key) {
        AtomicInteger n = runs.get(key);
        return n == null ? 0 : n.get();
    }

    private void awaitFinished(int expected) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 30_000;
        while (finished.get() < expected && System.currentTimeMillis() < deadline) {
            Thread.sleep(5);
        }
        assertThat(finished.get()).isEqualTo(expected);
    }
}

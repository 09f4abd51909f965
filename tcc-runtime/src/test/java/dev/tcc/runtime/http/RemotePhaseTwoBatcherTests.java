package dev.tcc.runtime.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.tcc.api.operations.BranchRecord;
import dev.tcc.api.operations.BranchState;
import dev.tcc.api.operations.TransactionState;
import dev.tcc.runtime.TccRuntime;
import dev.tcc.runtime.coordinator.TransactionContextHolder;
import dev.tcc.runtime.model.TccSettings;
import dev.tcc.runtime.model.TransactionOptions;
import dev.tcc.runtime.plain.TccAction;
import dev.tcc.runtime.testing.InterceptingDataSource;
import dev.tcc.runtime.testing.MutableClock;
import dev.tcc.runtime.testing.TestDatabases;
import dev.tcc.spi.BranchReference;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Asynchronous phase two of transactions with branches in other services, batched across transactions by the
 * initiator's remote batcher: one batch request per participant endpoint and position for a whole batch, one log
 * commit for its final states, and every unusual answer (an endpoint down, one without batches, a refused confirm)
 * handled by the one-by-one path on the phase-two executor, as a transaction's own round would. Three participant
 * services, each with its own log and database, behind real JDK HTTP servers.
 */
class RemotePhaseTwoBatcherTests {

    private static final SigningKeys KEYS = new SigningKeys("k1", Map.of("k1", "remote-batcher-test-secret"),
            Duration.ofSeconds(30));
    private static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(1);
    private static final String FINISH = "UPDATE tcc_transaction SET state = ?, finished_at = ?";

    private final List<AutoCloseable> closing = new ArrayList<>();
    private final ExecutorService servers = Executors.newCachedThreadPool();
    private InterceptingDataSource logInterceptor;
    private HikariDataSource log;
    private TccRuntime initiator;
    private HikariDataSource initiatorDb;
    private TccAction<String, String> localHold;
    private final CountDownLatch localGateEntered = new CountDownLatch(1);
    private final CountDownLatch localGateOpen = new CountDownLatch(1);
    private Participant p1;
    private Participant p2;
    private Participant p3;

    /** A participant service: its log, its database, one action, its endpoint on a JDK HTTP server. */
    private final class Participant {
        final String name;
        final HikariDataSource db;
        final TccRuntime runtime;
        final TccAction<String, String> hold;
        final EndpointServer server;
        /** Path of every phase-two request the endpoint got (a single call or a batch). */
        final List<String> requests = new CopyOnWriteArrayList<>();
        volatile boolean down;
        volatile boolean withoutBatches;
        /** When set, the first phase-two request waits here until {@link #gateOpen} opens. */
        volatile CountDownLatch gateEntered;
        final CountDownLatch gateOpen = new CountDownLatch(1);

        Participant(String name) throws Exception {
            this.name = name;
            HikariDataSource participantLog = TestDatabases.h2(name + "-log");
            this.db = TestDatabases.h2(name + "-db");
            TestDatabases.execute(db, "CREATE TABLE body_run (xid VARCHAR(64), phase VARCHAR(16))");
            this.runtime = TccRuntime.builder().transactionLog(participantLog).initializeSchema(true)
                    .http(HttpSettings.defaults().withKeys(KEYS)).build();
            this.hold = runtime.action(name + "-hold", String.class, String.class).database(name, db)
                    .hold(Duration.ofMinutes(5))
                    .onTry((c, a, ctx) -> "held")
                    .onConfirm((c, a, ctx) -> ran(c, ctx.xid(), "CONFIRM"))
                    .onCancel((c, a, ctx) -> ran(c, ctx.xid(), "CANCEL"))
                    .register();
            ParticipantEndpoint endpoint = runtime.participantEndpoint();
            this.server = new EndpointServer(new ParticipantEndpoint() {
                @Override
                public EndpointAnswer handle(String method, String path, String xid, String branch, String phase, String action,
                                             String signature, byte[] body) {
                    requests.add(path);
                    gate();
                    return down ? unavailable() : endpoint.handle(method, path, xid, branch, phase, action, signature, body);
                }

                @Override
                public EndpointAnswer handleBatch(String method, String path, String phase, String signature, byte[] body) {
                    requests.add(path);
                    gate();
                    if (withoutBatches) {
                        return new EndpointAnswer(404, Map.of(), "");
                    }
                    return down ? unavailable() : endpoint.handleBatch(method, path, phase, signature, body);
                }
            }, runtime.coordinatorEndpoint(), servers); // concurrent: a request held at the gate holds up no other
            closing.add(participantLog);
            closing.add(db);
            closing.add(runtime);
            closing.add(server);
        }

        private void gate() {
            CountDownLatch entered = gateEntered;
            if (entered != null) {
                gateEntered = null;
                entered.countDown();
                try {
                    assertThat(gateOpen.await(30, TimeUnit.SECONDS)).isTrue();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }

        private static EndpointAnswer unavailable() {
            return new EndpointAnswer(503, Map.of(), "{\"message\":\"down for maintenance\"}");
        }

        long bodies(String xid, String phase) {
            return TestDatabases.queryLong(db, "SELECT COUNT(*) FROM body_run WHERE xid = '" + xid + "' AND phase = '" + phase + "'");
        }

        long requests(String kind) {
            return requests.stream().filter(p -> kind.equals("batch") == p.contains("/batch/")).count();
        }
    }

    private static Void ran(java.sql.Connection c, String xid, String phase) throws Exception {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO body_run VALUES (?, ?)")) {
            ps.setString(1, xid);
            ps.setString(2, phase);
            ps.executeUpdate();
        }
        return null;
    }

    @BeforeEach
    void setUp() throws Exception {
        p1 = new Participant("p1");
        p2 = new Participant("p2");
        p3 = new Participant("p3");
        log = TestDatabases.h2("initiator-log");
        logInterceptor = new InterceptingDataSource(log);
        initiator = TccRuntime.builder().transactionLog(logInterceptor.dataSource()).initializeSchema(true)
                // a read timeout longer than any gate of these tests holds a request
                .http(new HttpSettings(Duration.ofSeconds(2), Duration.ofSeconds(60), "/tcc/participant", null,
                        () -> "http://initiator.test/tcc/coordinator", KEYS))
                .settings(TccSettings.builder()
                        // one drainer per batcher: what is decided while a gate holds it forms the next batch
                        .phaseTwoDrainers(1)
                        .phaseTwoFinishLinger(Duration.ofMillis(5))
                        .phaseTwoShutdownTimeout(SHUTDOWN_TIMEOUT)
                        // a one-by-one round keeps retrying while an endpoint is down: it must not hold up anyone else
                        .retryMaxAttempts(100_000)
                        .retryInitialInterval(Duration.ofMillis(5))
                        .retryMaxInterval(Duration.ofMillis(10))
                        .circuitBreakerMinimumCalls(1_000_000)
                        .circuitBreakerSlidingWindowSize(1_000_000)
                        .build())
                .build();
        initiatorDb = TestDatabases.h2("initiator-db");
        TestDatabases.execute(initiatorDb, "CREATE TABLE body_run (xid VARCHAR(64), phase VARCHAR(16))");
        registerLocalHold();
    }

    /** The initiator's local action, on its own database; "gate" holds its confirm until {@link #localGateOpen} opens. */
    private void registerLocalHold() {
        localHold = initiator.action("local-hold", String.class, String.class).database("initiator-db", initiatorDb)
                .onTry((c, a, ctx) -> "held")
                .onConfirm((c, a, ctx) -> {
                    if (a.equals("gate")) {
                        localGateEntered.countDown();
                        // longer than await(): a test waiting for something the held batch keeps back fails first
                        assertThat(localGateOpen.await(60, TimeUnit.SECONDS)).isTrue();
                    }
                    ran(c, ctx.xid(), "CONFIRM");
                })
                .onCancel((c, a, ctx) -> ran(c, ctx.xid(), "CANCEL"))
                .register();
    }

    @AfterEach
    void tearDown() throws Exception {
        for (Participant p : List.of(p1, p2, p3)) {
            p.gateOpen.countDown();
        }
        localGateOpen.countDown();
        initiator.close();
        initiatorDb.close();
        servers.shutdownNow();
        for (int i = closing.size() - 1; i >= 0; i--) {
            closing.get(i).close();
        }
        log.close();
    }

    /** A transaction of the initiator with one try at each participant, through their context headers. */
    private String book(Participant... participants) throws Exception {
        return initiator.execute(TransactionOptions.named("book"), () -> {
            for (Participant p : participants) {
                call(p);
            }
            return TransactionContextHolder.current().xid();
        });
    }

    /** What a client interceptor and the participant's server filter do for one business call. */
    private void call(Participant p) throws Exception {
        URI uri = URI.create(p.server.url("/holds"));
        byte[] body = "{\"seats\":2}".getBytes(StandardCharsets.UTF_8);
        OutboundCall outbound = initiator.outboundCall("POST", uri, body);
        Map<String, String> sent = outbound.requestHeaders();
        String host = uri.getHost() + ":" + uri.getPort();
        Future<Map<String, List<String>>> served = servers.submit(() -> {
            try (InboundCall inbound = p.runtime.inboundCall("POST", "/holds", n -> n.equals("Host") ? host : sent.get(n), body)) {
                p.hold.tryAction("seats");
                return inbound.responseHeaders();
            }
        });
        Map<String, List<String>> headers = served.get(10, TimeUnit.SECONDS);
        outbound.answered(200, n -> headers.getOrDefault(n, List.of()));
    }

    /** Decides a first transaction and holds the remote drainer in its first delivery, at {@code p}. */
    private String holdTheDrainerAt(Participant p, Participant... participants) throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        p.gateEntered = entered;
        String xid = book(participants);
        assertThat(entered.await(30, TimeUnit.SECONDS)).isTrue();
        return xid;
    }

    /** {@code count} transactions decided by 8 client threads at once. */
    private List<String> bookConcurrently(int count, Participant... participants) throws Exception {
        ExecutorService clients = Executors.newFixedThreadPool(8);
        try {
            List<Future<String>> decided = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                decided.add(clients.submit(() -> book(participants)));
            }
            List<String> xids = new ArrayList<>();
            for (Future<String> f : decided) {
                xids.add(f.get(30, TimeUnit.SECONDS));
            }
            return xids;
        } finally {
            clients.shutdownNow();
        }
    }

    private TransactionState state(String xid) {
        return initiator.find(xid).orElseThrow().state();
    }

    private void awaitState(List<String> xids, TransactionState expected) throws InterruptedException {
        await(() -> xids.stream().allMatch(x -> state(x) == expected));
    }

    private static void await(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition not reached in 30 s").isLessThan(deadline);
            Thread.sleep(2);
        }
    }

    private long phaseTwoRequests() {
        return p1.requests.size() + p2.requests.size() + p3.requests.size();
    }

    @Test
    void concurrentRemoteTransactionsAreConfirmedWithOneBatchRequestPerEndpointAndOneLogCommitPerBatch() throws Exception {
        String first = holdTheDrainerAt(p1, p1, p2, p3);
        List<String> xids = bookConcurrently(40, p1, p2, p3);
        List<String> finishes = logInterceptor.recordStatements();

        p1.gateOpen.countDown();
        List<String> all = new ArrayList<>(xids);
        all.add(first);
        awaitState(all, TransactionState.CONFIRMED);

        for (String xid : all) {
            for (Participant p : List.of(p1, p2, p3)) {
                assertThat(p.bodies(xid, "CONFIRM")).as(p.name + " confirm of " + xid).isEqualTo(1);
            }
        }
        assertThat(phaseTwoRequests()).as("the first transaction's 3 requests, then one per endpoint for the 40 queued"
                + " behind it (not 3 x 41 = 123 deliveries)").isEqualTo(6);
        assertThat(p1.requests("single") + p2.requests("single") + p3.requests("single")).isZero();
        assertThat(finishes.stream().filter(sql -> sql.startsWith(FINISH)).count())
                .as("the final states of the two batches (at most one log commit each)").isBetween(1L, 2L);
    }

    @Test
    void anEndpointAnswering503GetsItsBranchesOneByOneWithRetriesWhileOtherTransactionsFinish() throws Exception {
        p2.down = true;
        List<String> throughTheDownEndpoint = bookConcurrently(3, p1, p2);
        await(() -> p2.requests.size() > 3); // the batch failed; the one-by-one rounds retry

        List<String> others = bookConcurrently(6, p1, p3);
        awaitState(others, TransactionState.CONFIRMED);
        for (String xid : throughTheDownEndpoint) {
            assertThat(state(xid)).as("still retrying").isEqualTo(TransactionState.CONFIRMING);
        }

        p2.down = false;
        awaitState(throughTheDownEndpoint, TransactionState.CONFIRMED);
        for (String xid : throughTheDownEndpoint) {
            assertThat(p1.bodies(xid, "CONFIRM")).isEqualTo(1);
            assertThat(p2.bodies(xid, "CONFIRM")).isEqualTo(1);
            BranchRecord atP2 = initiator.find(xid).orElseThrow().branches().stream()
                    .filter(b -> b.participant().equals(p2.server.url("/tcc/participant"))).findFirst().orElseThrow();
            assertThat(atP2.attempts()).as("confirmed by a round that retried it").isGreaterThan(1);
        }
        for (String xid : others) {
            assertThat(p1.bodies(xid, "CONFIRM") + p3.bodies(xid, "CONFIRM")).isEqualTo(2);
        }
    }

    @Test
    void anEndpointWithoutBatchesStillGetsEveryBranchDeliveredAlone() throws Exception {
        p3.withoutBatches = true;
        String first = holdTheDrainerAt(p1, p1, p2, p3);
        List<String> xids = bookConcurrently(10, p1, p2, p3);

        p1.gateOpen.countDown();
        List<String> all = new ArrayList<>(xids);
        all.add(first);
        awaitState(all, TransactionState.CONFIRMED);

        for (String xid : all) {
            for (Participant p : List.of(p1, p2, p3)) {
                assertThat(p.bodies(xid, "CONFIRM")).as(p.name + " confirm of " + xid).isEqualTo(1);
            }
        }
        assertThat(p3.requests("batch")).as("asked once, answered 404: never again").isEqualTo(1);
        assertThat(p3.requests("single")).as("one single confirm per branch").isEqualTo(11);
    }

    @Test
    void aConfirmRefusedInsideABatchEndsItsTransactionHeuristicAndTheOthersConfirmed() throws Exception {
        String first = holdTheDrainerAt(p1, p1, p2, p3);
        List<String> xids = bookConcurrently(5, p1, p2, p3);
        String refused = xids.get(2);
        // its hold at p2 expired meanwhile: the branch is cancelled there, so its confirm is refused (409)
        int branchId = (int) TestDatabases.queryLong(p2.db, "SELECT branch_id FROM tcc_barrier WHERE xid = '" + refused + "'");
        p2.runtime.participant("p2-hold").cancel(new BranchReference(refused, branchId, "p2-hold", "p2-hold",
                Instant.now().plusSeconds(60), 1));

        p1.gateOpen.countDown();
        List<String> confirmed = new ArrayList<>(xids);
        confirmed.remove(refused);
        confirmed.add(first);
        awaitState(confirmed, TransactionState.CONFIRMED);
        awaitState(List.of(refused), TransactionState.HEURISTIC);

        List<BranchRecord> branches = initiator.find(refused).orElseThrow().branches();
        assertThat(branches).filteredOn(b -> b.participant().equals(p2.server.url("/tcc/participant")))
                .singleElement().satisfies(b -> assertThat(b.state()).isEqualTo(BranchState.REFUSED));
        assertThat(p1.bodies(refused, "CONFIRM") + p3.bodies(refused, "CONFIRM")).isEqualTo(2);
        assertThat(p2.bodies(refused, "CONFIRM")).isZero();
    }

    @Test
    void closeHandsTheQueuedRemoteTransactionsToRecovery() throws Exception {
        holdTheDrainerAt(p1, p1, p2, p3);
        List<String> queued = bookConcurrently(5, p1, p2, p3);

        initiator.close();

        assertThat(initiator.phaseTwoLeftToRecovery()).isEqualTo(5);
        for (String xid : queued) {
            assertThat(state(xid)).as("decided, waiting for recovery").isEqualTo(TransactionState.CONFIRMING);
            assertThat(p1.bodies(xid, "CONFIRM")).isZero();
        }
    }

    @Test
    void aTransactionWhoseLeaseEndedWhileItWaitedForTheRemoteBatcherIsNotDrivenByItAgainstItsNewDriver() throws Exception {
        initiator.close();
        MutableClock clock = new MutableClock(Instant.now());
        initiator = TccRuntime.builder().transactionLog(logInterceptor.dataSource()).initializeSchema(true).clock(clock)
                .http(new HttpSettings(Duration.ofSeconds(2), Duration.ofSeconds(60), "/tcc/participant", null,
                        () -> "http://initiator.test/tcc/coordinator", KEYS))
                .settings(TccSettings.builder().phaseTwoDrainers(1).phaseTwoFinishLinger(Duration.ofMillis(5))
                        .phaseTwoShutdownTimeout(SHUTDOWN_TIMEOUT).recoveryLease(Duration.ofSeconds(5)).build())
                .build();
        String first = holdTheDrainerAt(p1, p1, p2, p3);
        List<String> queued = bookConcurrently(3, p1, p2, p3);

        // the decisions' leases end (well within the signatures' skew): recovery takes the four over and finishes them
        clock.advance(Duration.ofSeconds(10));
        assertThat(initiator.coordinatorRecovery().runOnce()).isEqualTo(4);
        List<String> all = new ArrayList<>(queued);
        all.add(first);
        awaitState(all, TransactionState.CONFIRMED);
        long[] before = {p1.requests.size(), p2.requests.size(), p3.requests.size()};

        p1.gateOpen.countDown(); // the drainer goes on with the batch it held, then takes the queued ones
        String later = book(p1, p2, p3); // behind them in the drainer's queue
        awaitState(List.of(later), TransactionState.CONFIRMED);

        assertThat(new long[] {p1.requests.size() - before[0], p2.requests.size() - before[1], p3.requests.size() - before[2]})
                .as("one batch request per endpoint, for the later transaction only: the others were no longer the"
                        + " batcher's to drive")
                .containsExactly(1, 1, 1);
        for (String xid : all) {
            for (Participant p : List.of(p1, p2, p3)) {
                assertThat(p.bodies(xid, "CONFIRM")).isEqualTo(1);
            }
        }
    }

    @Test
    void aBatchStillInFlightWhenCloseReturnsRecordsTheTransactionsItFinishes() throws Exception {
        String inFlight = holdTheDrainerAt(p1, p1, p2, p3);

        initiator.close(); // its shutdown timeout runs out with the batch still held at p1
        assertThat(initiator.phaseTwoLeftToRecovery()).isZero();
        p1.gateOpen.countDown(); // the batch goes on, as a round in flight at shutdown does

        awaitState(List.of(inFlight), TransactionState.CONFIRMED);
        for (Participant p : List.of(p1, p2, p3)) {
            assertThat(p.bodies(inFlight, "CONFIRM")).isEqualTo(1);
        }
    }

    @Test
    void aMixedTransactionsLocalBatchWaitsWhileTheLocalBatcherWorksOnTheSameDatabase() throws Exception {
        // the local batcher's batch holds the initiator's database (its locks last until it commits)
        String local = initiator.execute(TransactionOptions.named("local"), () -> {
            localHold.tryAction("gate");
            return TransactionContextHolder.current().xid();
        });
        assertThat(localGateEntered.await(30, TimeUnit.SECONDS)).isTrue();

        // a transaction with a local and a remote branch goes to the remote batcher, whose first target is that database
        String mixed = initiator.execute(TransactionOptions.named("mixed"), () -> {
            localHold.tryAction("ok");
            call(p1);
            return TransactionContextHolder.current().xid();
        });
        await(() -> Thread.getAllStackTraces().keySet().stream()
                .anyMatch(t -> t.getName().startsWith("tcc-phase-two-remote") && t.getState() == Thread.State.BLOCKED));
        assertThat(TestDatabases.queryLong(initiatorDb, "SELECT COUNT(*) FROM body_run WHERE xid = '" + mixed + "'"))
                .as("two batches on one database at once could lock rows in opposite orders").isZero();

        localGateOpen.countDown();
        awaitState(List.of(local, mixed), TransactionState.CONFIRMED);
        assertThat(TestDatabases.queryLong(initiatorDb, "SELECT COUNT(*) FROM body_run WHERE phase = 'CONFIRM'")).isEqualTo(2);
        assertThat(p1.bodies(mixed, "CONFIRM")).isEqualTo(1);
        assertThat(p1.requests("batch")).isEqualTo(1);
    }

    @Test
    void theRoundsTheRemoteBatcherHandsOverRunWhileLocalDrainersWaitOnABusyDatabase() throws Exception {
        initiator.close();
        initiator = TccRuntime.builder().transactionLog(logInterceptor.dataSource()).initializeSchema(true).phaseTwoThreads(2)
                .http(new HttpSettings(Duration.ofSeconds(2), Duration.ofSeconds(60), "/tcc/participant", null,
                        () -> "http://initiator.test/tcc/coordinator", KEYS))
                .settings(TccSettings.builder().phaseTwoDrainers(3).phaseTwoFinishLinger(Duration.ofMillis(5))
                        .phaseTwoShutdownTimeout(SHUTDOWN_TIMEOUT).build())
                .build();
        registerLocalHold();
        // a local batch holds the initiator's database; the next local transactions wait for it
        String held = initiator.execute(TransactionOptions.named("local"), () -> {
            localHold.tryAction("gate");
            return TransactionContextHolder.current().xid();
        });
        assertThat(localGateEntered.await(30, TimeUnit.SECONDS)).isTrue();
        List<String> waiting = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            waiting.add(initiator.execute(TransactionOptions.named("local"), () -> {
                localHold.tryAction("ok");
                return TransactionContextHolder.current().xid();
            }));
        }

        // an endpoint without batches: the remote batcher hands the transaction to a one-by-one round on the phase-two
        // threads, which must not all be local drainers waiting for the database
        p3.withoutBatches = true;
        String remote = book(p3);
        awaitState(List.of(remote), TransactionState.CONFIRMED);
        assertThat(p3.bodies(remote, "CONFIRM")).isEqualTo(1);

        localGateOpen.countDown();
        List<String> local = new ArrayList<>(waiting);
        local.add(held);
        awaitState(local, TransactionState.CONFIRMED);
    }
}

package dev.tcc.runtime.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import dev.tcc.runtime.TccRuntime;
import dev.tcc.runtime.model.TccSettings;
import dev.tcc.runtime.testing.TestDatabases;
import dev.tcc.spi.BranchReference;
import java.nio.charset.StandardCharsets;
import java.sql.PreparedStatement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Review three: failing tests for the batch endpoint (LocalBatch per database) and client-side batching. */
class ReviewThreeTests {

    private static final SigningKeys KEYS = new SigningKeys("k1", Map.of("k1", "review-three-secret"), Duration.ofSeconds(30));
    private static final String PATH = "/tcc/participant/batch/confirm";

    private final Signer signer = new Signer(KEYS, Clock.systemUTC());
    private final ExecutorService threads = Executors.newFixedThreadPool(4);
    private HikariDataSource log;
    private HikariDataSource db;
    private TccRuntime participant;

    @BeforeEach
    void setUp() throws Exception {
        log = TestDatabases.h2("review3-log");
        db = TestDatabases.h2("review3-db");
        TestDatabases.execute(db, "CREATE TABLE body_run (branch INT, action VARCHAR(16), phase VARCHAR(16))");
        participant = TccRuntime.builder().transactionLog(log).initializeSchema(true)
                .http(HttpSettings.defaults().withKeys(KEYS)).settings(TccSettings.builder().build()).build();
        for (String action : new String[] {"hold", "other"}) {
            participant.action(action, String.class, String.class).database("db", db)
                    .onTry((c, a, ctx) -> "ok")
                    .onConfirm((c, a, ctx) -> ran(c, ctx.branchId(), action, "CONFIRM"))
                    .onCancel((c, a, ctx) -> ran(c, ctx.branchId(), action, "CANCEL"))
                    .register();
        }
        for (int branch = 1; branch <= 6; branch++) {
            participant.participant("hold").tryBranch("x" + branch, branch, Instant.now().plusSeconds(600),
                    Instant.now().plusSeconds(600), new Object[] {"a"}, ctx -> "ok");
        }
    }

    private static Void ran(java.sql.Connection c, int branch, String action, String phase) throws Exception {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO body_run VALUES (?, ?, ?)")) {
            ps.setInt(1, branch);
            ps.setString(2, action);
            ps.setString(3, phase);
            ps.executeUpdate();
        }
        return null;
    }

    @AfterEach
    void tearDown() {
        threads.shutdownNow();
        participant.close();
        log.close();
        db.close();
    }

    private EndpointAnswer batch(String lines) {
        byte[] body = lines.getBytes(StandardCharsets.UTF_8);
        return participant.participantEndpoint().handleBatch("POST", PATH, "confirm",
                signer.sign(PhaseTwoBatches.batchSigned(PATH, "confirm", body)), body);
    }

    /** A signed batch naming one branch twice (a client of the public protocol may send it): the body must run once. */
    @Test
    void aBatchNamingOneBranchTwiceRunsItsConfirmBodyOnce() {
        EndpointAnswer answer = batch("x1 1 hold\nx1 1 hold\n");

        assertThat(answer.status()).isEqualTo(200);
        assertThat(TestDatabases.queryLong(db, "SELECT COUNT(*) FROM body_run WHERE branch = 1"))
                .as("confirm body runs of branch 1").isEqualTo(1);
    }

    /**
     * One branch named under its own action and another action of the same database: the second item's
     * returnToTried puts the row back to TRIED after the first item's body ran, so the branch's confirm has committed
     * while its barrier says TRIED (a later delivery runs it again, a hold expiry cancels it on top).
     */
    @Test
    void aBatchNamingOneBranchUnderTwoActionsLeavesItConfirmedAndRunsTheBodyOnce() {
        batch("x2 2 hold\nx2 2 other\n");
        batch("x2 2 hold\n"); // a repeated delivery

        assertThat(TestDatabases.queryString(db, "SELECT state FROM tcc_barrier WHERE xid = 'x2' AND branch_id = 2"))
                .isEqualTo("CONFIRMED");
        assertThat(TestDatabases.queryLong(db, "SELECT COUNT(*) FROM body_run WHERE branch = 2"))
                .as("confirm body runs of branch 2").isEqualTo(1);
    }

    /** docs/protocol.md: each line is "the status the single request for that branch would have answered". */
    @Test
    void aMisroutedDeliveryOfAConfirmedBranchAnswersInABatchWhatTheSingleCallAnswers() {
        batch("x3 3 hold\n");
        String path = "/tcc/participant/x3/3/confirm";
        EndpointAnswer single = participant.participantEndpoint().handle("POST", path, "x3", "3", "confirm", "other",
                signer.sign(Signed.phaseCall(path, "x3", "3", "confirm")), new byte[0]);

        EndpointAnswer batched = batch("x3 3 other\n");

        assertThat(single.status()).isEqualTo(404);
        assertThat(batched.body().strip()).isEqualTo(String.valueOf(single.status()));
    }

    /**
     * A delivery queued behind a batch in flight whose thread is interrupted stays in the queue; the leader then
     * promotes it, nobody leads any more, and every later delivery to that endpoint waits its full wait and fails.
     */
    @Test
    void anInterruptedQueuedDeliveryDoesNotStallLaterDeliveries() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger batches = new AtomicInteger();
        ParticipantEndpoint real = participant.participantEndpoint();
        ParticipantEndpoint blockingFirst = new ParticipantEndpoint() {
            @Override
            public EndpointAnswer handle(String method, String path, String xid, String branch, String phase, String action,
                                         String signature, byte[] body) {
                return real.handle(method, path, xid, branch, phase, action, signature, body);
            }

            @Override
            public EndpointAnswer handleBatch(String method, String path, String phase, String signature, byte[] body) {
                if (batches.getAndIncrement() == 0) {
                    entered.countDown();
                    try {
                        release.await(30, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                return real.handleBatch(method, path, phase, signature, body);
            }
        };
        try (EndpointServer server = new EndpointServer(blockingFirst, participant.coordinatorEndpoint())) {
            HttpProtocolClient client = new HttpProtocolClient(HttpSettings.defaults().withKeys(KEYS), signer);
            PhaseTwoBatches confirms = new PhaseTwoBatches(server.url("/tcc/participant"), "confirm", client,
                    Duration.ofMillis(700));
            Future<Integer> leader = threads.submit(() -> confirms.deliver(ref(4)));
            assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
            AtomicReference<Thread> waiter = new AtomicReference<>();
            Future<Integer> queued = threads.submit(() -> {
                waiter.set(Thread.currentThread());
                return confirms.deliver(ref(5));
            });
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while ((waiter.get() == null || waiter.get().getState() != Thread.State.TIMED_WAITING) && System.nanoTime() < until) {
                Thread.onSpinWait(); // until the second delivery waits in its queue
            }
            waiter.get().interrupt();
            assertThatThrownBy(() -> queued.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(InterruptedException.class);
            release.countDown();
            assertThat(leader.get(10, TimeUnit.SECONDS)).isEqualTo(200);

            Future<Integer> later = threads.submit(() -> confirms.deliver(ref(6)));

            assertThat(later.get(10, TimeUnit.SECONDS)).as("a later delivery, with nothing else in flight").isEqualTo(200);
        }
    }


    /**
     * InboundCalls.Joined: a try still running on another thread (a task carrying the context) when the answer is
     * made is neither reported nor makes the answer cancel-only (the local Coordinator.closeForDecision does mark it):
     * the caller confirms without it while its committed hold here is later cancelled. The answer must say cancel-only.
     */
    @Test
    void aTryStillRunningWhenTheJoinedCallAnswersMakesTheAnswerCancelOnly() throws Exception {
        HikariDataSource callerLog = TestDatabases.h2("review3-caller-log");
        HttpSettings callerHttp = HttpSettings.defaults().withCoordinatorUrl(() -> "http://a.test/tcc/coordinator").withKeys(KEYS);
        CountDownLatch inBody = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicReference<Future<?>> late = new AtomicReference<>();
        dev.tcc.runtime.plain.TccAction<String, String> slow = participant.action("slow", String.class, String.class).database("db", db)
                .onTry((c, a, ctx) -> {
                    inBody.countDown();
                    release.await(10, TimeUnit.SECONDS);
                    return "late";
                })
                .onConfirm((c, a, ctx) -> { }).onCancel((c, a, ctx) -> { }).register();
        try (TccRuntime caller = TccRuntime.builder().transactionLog(callerLog).initializeSchema(true).http(callerHttp)
                .settings(TccSettings.builder().asynchronousPhaseTwo(false).build()).build()) {
            AtomicReference<Map<String, java.util.List<String>>> answered = new AtomicReference<>();
            org.assertj.core.api.Assertions.catchThrowable(() -> caller.execute(dev.tcc.runtime.model.TransactionOptions.named("book"), () -> {
                byte[] body = new byte[0];
                OutboundCall outbound = caller.outboundCall("POST", java.net.URI.create("http://b.test/holds"), body);
                Map<String, String> sent = outbound.requestHeaders();
                Future<Map<String, java.util.List<String>>> served = threads.submit(() -> {
                    java.util.function.Function<String, String> header = n -> n.equals("Host") ? "b.test" : sent.get(n);
                    try (InboundCall inbound = participant.inboundCall("POST", "/holds", header, body)) {
                        Runnable task = dev.tcc.runtime.coordinator.TransactionContextSnapshot.capture().wrap(() -> {
                            try {
                                slow.tryAction("seat");
                            } catch (Exception e) {
                                throw new IllegalStateException(e);
                            }
                        });
                        late.set(threads.submit(task));
                        assertThat(inBody.await(10, TimeUnit.SECONDS)).isTrue(); // the try runs while the answer is made
                        return inbound.responseHeaders();
                    }
                });
                answered.set(served.get(10, TimeUnit.SECONDS));
                outbound.answered(200, n -> answered.get().getOrDefault(n, java.util.List.of()));
                return null;
            }));
            release.countDown();
            late.get().get(10, TimeUnit.SECONDS);
            assertThat(TestDatabases.queryLong(db, "SELECT COUNT(*) FROM tcc_barrier WHERE action = 'slow'"))
                    .as("the late try committed its hold here").isEqualTo(1);
            assertThat(answered.get()).as("the joined call's answer").containsKey(TccHeaders.CANCEL_ONLY);
        } finally {
            release.countDown();
            callerLog.close();
        }
    }

    /**
     * A try with external effects commits its barrier row before the body; when the body fails the row stays TRIED with
     * no result. A repeated delivery of the caller's call (a gateway retrying after the first answer was lost) then
     * finds a DUPLICATE and answers success with a null result: the caller registers the branch and confirms a try
     * whose body failed (the first answer's Tcc-Cancel-Only never arrived).
     */
    @Test
    void aRepeatedDeliveryOfAFailedTryWithExternalEffectsIsNotAnsweredAsSuccess() throws Exception {
        participant.action("ext", String.class, String.class).database("db", db).externalEffects(true)
                .onTry((c, a, ctx) -> "ok").onConfirm((c, a, ctx) -> { }).onCancel((c, a, ctx) -> { }).register();
        dev.tcc.runtime.action.LocalParticipant ext = participant.participant("ext");
        Instant hold = Instant.now().plusSeconds(600);
        String coordinator = "http://a.test/tcc/coordinator";
        assertThatThrownBy(() -> ext.tryBranch("x9", 9, hold, hold, coordinator, new Object[] {"a"}, ctx -> {
            throw new IllegalStateException("sold out");
        })).hasMessageContaining("sold out");

        assertThatThrownBy(() -> ext.tryBranch("x9", 9, hold, hold, coordinator, new Object[] {"a"}, ctx -> "ok"))
                .as("the repeated delivery of a try whose body failed").isInstanceOf(Exception.class);
    }

    private static BranchReference ref(int branch) {
        return new BranchReference("x" + branch, branch, "remote", "hold", Instant.now().plusSeconds(600), 1);
    }
}

package dev.tcc.runtime.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.tcc.runtime.TccRuntime;
import dev.tcc.runtime.model.TccSettings;
import dev.tcc.runtime.plain.TccAction;
import dev.tcc.runtime.testing.TestDatabases;
import dev.tcc.spi.BranchParticipant;
import dev.tcc.spi.BranchReference;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.PreparedStatement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Phase-two deliveries to one participant endpoint at the same time share batch requests (docs/protocol.md, "Batches"). */
class PhaseTwoBatchesTests {

    private static final SigningKeys KEYS = new SigningKeys("k1", Map.of("k1", "batch-test-secret"), Duration.ofSeconds(30));

    private HikariDataSource log;
    private HikariDataSource db;
    private TccRuntime participant;
    private EndpointServer server;
    private final List<String> paths = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final ExecutorService threads = Executors.newFixedThreadPool(8);

    @BeforeEach
    void setUp() throws Exception {
        log = TestDatabases.h2("batch-log");
        db = TestDatabases.h2("batch-db");
        TestDatabases.execute(db, "CREATE TABLE body_run (branch INT, phase VARCHAR(16))");
        participant = TccRuntime.builder().transactionLog(log).initializeSchema(true)
                .http(HttpSettings.defaults().withKeys(KEYS)).settings(TccSettings.builder().build()).build();
        TccAction<String, String> hold = participant.action("hold", String.class, String.class).database("db", db)
                .onTry((c, a, ctx) -> "ok")
                .onConfirm((c, a, ctx) -> ran(c, ctx.branchId(), "CONFIRM"))
                .onCancel((c, a, ctx) -> ran(c, ctx.branchId(), "CANCEL"))
                .register();
        for (int branch = 1; branch <= 40; branch++) {
            int id = branch;
            participant.participant("hold").tryBranch("x" + id, id, Instant.now().plusSeconds(600), Instant.now().plusSeconds(600),
                    new Object[] {"a"}, ctx -> "ok");
        }
        server = new EndpointServer(counting(participant.participantEndpoint()), participant.coordinatorEndpoint());
    }

    private ParticipantEndpoint counting(ParticipantEndpoint endpoint) {
        return new ParticipantEndpoint() {
            @Override
            public EndpointAnswer handle(String method, String path, String xid, String branch, String phase, String action,
                                         String signature, byte[] body) {
                paths.add(path);
                return endpoint.handle(method, path, xid, branch, phase, action, signature, body);
            }

            @Override
            public EndpointAnswer handleBatch(String method, String path, String phase, String signature, byte[] body) {
                paths.add(path);
                try {
                    Thread.sleep(20); // a batch in flight long enough for the next deliveries to queue behind it
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return endpoint.handleBatch(method, path, phase, signature, body);
            }
        };
    }

    private static Void ran(java.sql.Connection c, int branch, String phase) throws Exception {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO body_run VALUES (?, ?)")) {
            ps.setInt(1, branch);
            ps.setString(2, phase);
            ps.executeUpdate();
        }
        return null;
    }

    @AfterEach
    void tearDown() {
        threads.shutdownNow();
        server.close();
        participant.close();
        log.close();
        db.close();
    }

    @Test
    void concurrentConfirmsShareBatchRequestsAndEachBodyRunsOnce() throws Exception {
        HttpProtocolClient client = new HttpProtocolClient(HttpSettings.defaults().withKeys(KEYS), new Signer(KEYS, Clock.systemUTC()));
        BranchParticipant remote = client.participant(server.url("/tcc/participant"));
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> done = new ArrayList<>();
        for (int branch = 1; branch <= 40; branch++) {
            BranchReference ref = new BranchReference("x" + branch, branch, remote.id(), "hold", Instant.now().plusSeconds(600), 1);
            done.add(threads.submit(() -> {
                start.await();
                remote.confirm(ref);
                remote.confirm(ref); // a duplicate delivery: answered 208 in its batch, the body does not run again
                return null;
            }));
        }
        start.countDown();
        for (Future<?> f : done) {
            f.get(30, TimeUnit.SECONDS);
        }
        assertThat(TestDatabases.queryLong(db, "SELECT COUNT(*) FROM body_run WHERE phase = 'CONFIRM'")).isEqualTo(40);
        assertThat(TestDatabases.queryLong(db, "SELECT COUNT(DISTINCT branch) FROM body_run")).isEqualTo(40);
        assertThat(paths).allMatch(p -> p.endsWith("/batch/confirm"));
        assertThat(paths.size()).as("80 deliveries in fewer requests").isLessThan(80);
    }

    @Test
    void aBatchWithAnAlteredBodyIsRefusedAndChangesNothing() throws Exception {
        byte[] signedBody = "x1 1 hold\n".getBytes(StandardCharsets.UTF_8);
        String path = "/tcc/participant/batch/confirm";
        String signature = new Signer(KEYS, Clock.systemUTC()).sign(PhaseTwoBatches.batchSigned(path, "confirm", signedBody));
        HttpResponse<String> answer = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(server.url(path)))
                .header(TccHeaders.SIGNATURE, signature)
                .POST(HttpRequest.BodyPublishers.ofString("x1 1 hold\nx2 2 hold\n")).build(), HttpResponse.BodyHandlers.ofString());

        assertThat(answer.statusCode()).isEqualTo(401);
        assertThat(TestDatabases.queryLong(db, "SELECT COUNT(*) FROM tcc_barrier WHERE state = 'TRIED'")).isEqualTo(40);
        assertThat(TestDatabases.queryLong(db, "SELECT COUNT(*) FROM body_run")).isZero();
    }
}

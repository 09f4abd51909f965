package dev.tcc.runtime.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.tcc.runtime.TccRuntime;
import dev.tcc.runtime.model.TccSettings;
import dev.tcc.runtime.testing.TestDatabases;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A participant endpoint's batch request never puts an action with external effects into the local
 * batch: a batch whose fast pass rolls back runs its bodies again, and an external call cannot be
 * rolled back. Such a branch is confirmed alone, so its body runs once even when another body of the
 * request fails.
 */
class BatchRequestExternalEffectsTests {

    private static final SigningKeys KEYS = new SigningKeys("k1", Map.of("k1", "batch-external-secret"), Duration.ofSeconds(30));
    private static final String PATH = "/tcc/participant/batch/confirm";

    private final Signer signer = new Signer(KEYS, Clock.systemUTC());
    private final AtomicInteger externalCalls = new AtomicInteger();
    private HikariDataSource log;
    private HikariDataSource db;
    private TccRuntime participant;

    @BeforeEach
    void setUp() throws Exception {
        log = TestDatabases.h2("batchext-log");
        db = TestDatabases.h2("batchext-db");
        participant = TccRuntime.builder().transactionLog(log).initializeSchema(true)
                .http(HttpSettings.defaults().withKeys(KEYS)).settings(TccSettings.builder().build()).build();
        participant.action("call", String.class, String.class).database("db", db).externalEffects(true)
                .onTry((c, a, ctx) -> "ok")
                .onConfirm((c, a, ctx) -> externalCalls.incrementAndGet())
                .onCancel((c, a, ctx) -> { })
                .register();
        participant.action("broken", String.class, String.class).database("db", db)
                .onTry((c, a, ctx) -> "ok")
                .onConfirm((c, a, ctx) -> {
                    throw new IllegalStateException("the confirm of 'broken' fails");
                })
                .onCancel((c, a, ctx) -> { })
                .register();
        Instant later = Instant.now().plusSeconds(600);
        participant.participant("call").tryBranch("x1", 1, later, later, new Object[] {"a"}, ctx -> "ok");
        participant.participant("broken").tryBranch("x2", 2, later, later, new Object[] {"a"}, ctx -> "ok");
    }

    @AfterEach
    void tearDown() {
        participant.close();
        log.close();
        db.close();
    }

    @Test
    void aBranchWithExternalEffectsIsConfirmedAloneAndItsBodyRunsOnceWhenAnotherBodyOfTheRequestFails() {
        byte[] body = "x1 1 call\nx2 2 broken\n".getBytes(StandardCharsets.UTF_8);

        EndpointAnswer answer = participant.participantEndpoint().handleBatch("POST", PATH, "confirm",
                signer.sign(PhaseTwoBatches.batchSigned(PATH, "confirm", body)), body);

        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.body().lines().findFirst()).as("the external call's line").hasValue("200");
        assertThat(externalCalls).as("external calls of the confirm").hasValue(1);
        assertThat(TestDatabases.queryString(db, "SELECT state FROM tcc_barrier WHERE xid = 'x1'")).isEqualTo("CONFIRMED");
        assertThat(TestDatabases.queryString(db, "SELECT state FROM tcc_barrier WHERE xid = 'x2'")).isEqualTo("TRIED");
    }
}

package dev.tcc.runtime.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import com.zaxxer.hikari.HikariDataSource;
import dev.tcc.api.operations.TransactionState;
import dev.tcc.runtime.TccRuntime;
import dev.tcc.runtime.model.TccSettings;
import dev.tcc.runtime.model.TransactionOptions;
import dev.tcc.runtime.plain.TccAction;
import dev.tcc.runtime.testing.TestDatabases;
import dev.tcc.spi.Decision;
import dev.tcc.spi.DecisionSource;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The coordinator endpoint's logic on a real log. */
class CoordinatorEndpointTests {

    private static final SigningKeys KEYS = new SigningKeys("k1", Map.of("k1", "s3cr3t-k1"), Duration.ofSeconds(30));
    private final Signer signer = new Signer(KEYS, Clock.systemUTC());
    private HikariDataSource log;
    private HikariDataSource flights;
    private TccRuntime runtime;

    @BeforeEach
    void setUp() {
        log = TestDatabases.h2("log");
        flights = TestDatabases.h2("flights");
        runtime = TccRuntime.builder().transactionLog(log).initializeSchema(true)
                .settings(TccSettings.builder().asynchronousPhaseTwo(false).build())
                .http(HttpSettings.defaults().withKeys(KEYS)).build();
    }

    @AfterEach
    void tearDown() {
        runtime.close();
        log.close();
        flights.close();
    }

    private EndpointAnswer ask(CoordinatorEndpoint endpoint, String xid, String branch, Signer by) {
        String path = "/tcc/coordinator/" + xid + "/" + branch + "/decision";
        return endpoint.handle("POST", path, xid, branch, by.sign(Signed.decisionQuestion(path, xid, branch)), new byte[0]);
    }

    @Test
    void anUnknownTransactionIsFencedAndAnsweredCancelWithASignedAnswer() {
        String path = "/tcc/coordinator/x-1/7/decision";
        String question = signer.sign(Signed.decisionQuestion(path, "x-1", "7"));

        EndpointAnswer answer = runtime.coordinatorEndpoint().handle("POST", path, "x-1", "7", question, new byte[0]);

        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.body()).isEqualTo("{\"decision\":\"CANCEL\"}");
        assertThatCode(() -> signer.verify(Signed.decisionAnswer(Signer.sigOf(question), path, "x-1",
                answer.body().getBytes(StandardCharsets.UTF_8)), answer.headers().get(TccHeaders.SIGNATURE)))
                .doesNotThrowAnyException();
        assertThat(runtime.find("x-1")).isPresent();
        assertThat(ask(runtime.coordinatorEndpoint(), "x-1", "7", signer).body()).isEqualTo("{\"decision\":\"CANCEL\"}");
    }

    @Test
    void aConfirmedTransactionAnswersConfirmForItsBranchAndCancelForOneItDoesNotList() throws Exception {
        TccAction<String, String> seats = runtime.action("holdSeats", String.class, String.class).database("flights", flights)
                .onTry((c, a, ctx) -> "held").onConfirm((c, a, ctx) -> { }).onCancel((c, a, ctx) -> { }).register();
        runtime.execute(TransactionOptions.named("book"), () -> seats.tryAction("LH1"));
        String xid = runtime.list(TransactionState.CONFIRMED, 10).get(0).xid();
        int branch = runtime.find(xid).orElseThrow().branches().get(0).branchId();

        assertThat(ask(runtime.coordinatorEndpoint(), xid, String.valueOf(branch), signer).body()).isEqualTo("{\"decision\":\"CONFIRM\"}");
        assertThat(ask(runtime.coordinatorEndpoint(), xid, "999", signer).body()).isEqualTo("{\"decision\":\"CANCEL\"}");
    }

    @Test
    void anUnauthenticatedQuestionIsRefusedAndRecordsNothing() {
        Signer stranger = new Signer(new SigningKeys("k1", Map.of("k1", "gu3ss"), Duration.ofSeconds(30)), Clock.systemUTC());

        EndpointAnswer forged = ask(runtime.coordinatorEndpoint(), "x-2", "7", stranger);
        EndpointAnswer unsigned = runtime.coordinatorEndpoint().handle("POST", "/tcc/coordinator/x-2/7/decision", "x-2", "7",
                null, new byte[0]);

        assertThat(forged.status()).isEqualTo(401);
        assertThat(unsigned.status()).isEqualTo(401);
        assertThat(forged.headers()).doesNotContainKey(TccHeaders.SIGNATURE);
        assertThat(runtime.find("x-2")).isEmpty();
    }

    @Test
    void aLogThatCannotDecideAnswers503AndAMalformedQuestion400() {
        DecisionSource broken = new DecisionSource() {
            @Override
            public Decision read(String xid) {
                return Decision.UNDECIDED;
            }

            @Override
            public Decision decideCancelUnlessConfirmed(String xid, int branchId) {
                throw new IllegalStateException("lock timeout");
            }
        };
        CoordinatorEndpoint endpoint = new DefaultCoordinatorEndpoint(signer, broken, Clock.systemUTC());

        EndpointAnswer answer = ask(endpoint, "x-3", "7", signer);
        assertThat(answer.status()).isEqualTo(503);
        assertThat(answer.body()).contains("lock timeout");
        assertThat(ask(endpoint, "x-3", "1-2", signer).status()).isEqualTo(400);
        assertThat(ask(endpoint, "x 3", "7", signer).status()).isEqualTo(400);
    }
}

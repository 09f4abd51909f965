package dev.tcc.runtime.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import dev.tcc.api.ConfirmRefusedException;
import dev.tcc.runtime.TccRuntime;
import dev.tcc.runtime.action.LocalParticipant;
import dev.tcc.runtime.coordinator.ParticipantRegistry;
import dev.tcc.runtime.model.TccSettings;
import dev.tcc.runtime.testing.TestDatabases;
import dev.tcc.spi.BranchReference;
import dev.tcc.spi.Decision;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The client classes against the endpoint logic over real HTTP: what one service sends, the other accepts. */
class WireRoundTripTests {

    private static final SigningKeys KEYS = new SigningKeys("k1", Map.of("k1", "s3cr3t-k1"), Duration.ofSeconds(30));
    private HikariDataSource log;
    private HikariDataSource flights;
    private TccRuntime runtime;
    private EndpointServer server;
    private HttpProtocolClient client;

    @BeforeEach
    void setUp() throws Exception {
        log = TestDatabases.h2("log");
        flights = TestDatabases.h2("flights");
        TestDatabases.execute(flights, "CREATE TABLE body_run (phase VARCHAR(16))");
        runtime = TccRuntime.builder().transactionLog(log).initializeSchema(true)
                .settings(TccSettings.builder().asynchronousPhaseTwo(false).build())
                .http(HttpSettings.defaults().withKeys(KEYS)).build();
        runtime.action("hold seats", String.class, String.class).database("flights", flights)
                .onTry((c, a, ctx) -> "held")
                .onConfirm((c, a, ctx) -> c.createStatement().executeUpdate("INSERT INTO body_run VALUES ('CONFIRM')"))
                .onCancel((c, a, ctx) -> c.createStatement().executeUpdate("INSERT INTO body_run VALUES ('CANCEL')"))
                .register();
        server = new EndpointServer(runtime.participantEndpoint(), runtime.coordinatorEndpoint());
        client = new HttpProtocolClient(HttpSettings.defaults().withKeys(KEYS), new Signer(KEYS, Clock.systemUTC()));
    }

    @AfterEach
    void tearDown() {
        server.close();
        runtime.close();
        log.close();
        flights.close();
    }

    private void tryBranch(String xid, int id) throws Exception {
        LocalParticipant seats = runtime.participant("hold seats");
        Instant hold = Instant.now().plusSeconds(60);
        seats.tryBranch(xid, id, hold, hold, new Object[] {"LH1"}, ctx -> "held");
    }

    private static BranchReference branch(String xid, int id, String action) {
        return new BranchReference(xid, id, "remote", action, Instant.now().plusSeconds(60), 1);
    }

    @Test
    void aRemoteConfirmAndCancelReachTheBarrierThroughTheEndpoint() throws Exception {
        tryBranch("x:1", 7);
        tryBranch("x:1", 8);
        HttpBranchParticipant remote = client.participant(server.url("/tcc/participant"));

        remote.confirm(branch("x:1", 7, "hold seats"));
        remote.confirm(branch("x:1", 7, "hold seats"));
        remote.cancel(branch("x:1", 8, "hold seats"));

        assertThat(TestDatabases.queryLong(flights, "SELECT COUNT(*) FROM body_run WHERE phase = 'CONFIRM'")).isEqualTo(1);
        assertThat(TestDatabases.queryLong(flights, "SELECT COUNT(*) FROM body_run WHERE phase = 'CANCEL'")).isEqualTo(1);
        assertThatThrownBy(() -> remote.confirm(branch("x:1", 8, "hold seats"))).isInstanceOf(ConfirmRefusedException.class);
    }

    @Test
    void aLostCallIsCancelledByRangeThroughTheEndpoint() throws Exception {
        tryBranch("x:2", 1002);
        tryBranch("x:2", 1003);

        client.participant(server.url("/tcc/participant")).cancel(branch("x:2", 1001, HttpBranchParticipant.callAction(1001, 1999)));

        assertThat(TestDatabases.queryLong(flights, "SELECT COUNT(*) FROM body_run WHERE phase = 'CANCEL'")).isEqualTo(2);
    }

    @Test
    void aRemoteDecisionQuestionIsAnsweredAndVerified() throws Exception {
        assertThat(client.decisionSource(server.url("/tcc/coordinator")).decideCancelUnlessConfirmed("x:3", 4))
                .isEqualTo(Decision.CANCEL);
        HttpProtocolClient stranger = new HttpProtocolClient(HttpSettings.defaults(), null);
        assertThatThrownBy(() -> stranger.participant(server.url("/tcc/participant")).cancel(branch("x:3", 4, "hold seats")))
                .isInstanceOf(RemoteCallException.class).hasMessageContaining("HTTP 401");
    }

    @Test
    void theRegistryReachesAParticipantByItsUrl() {
        ParticipantRegistry registry = new ParticipantRegistry(id -> ParticipantRegistry.isRemote(id) ? client.participant(id) : null);

        assertThat(registry.find("http://flights/tcc/participant")).isInstanceOf(HttpBranchParticipant.class)
                .isSameAs(registry.find("http://flights/tcc/participant"));
        assertThat(registry.find("holdSeats")).isNull();
    }
}

package dev.tcc.runtime.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tcc.api.CancelRefusedException;
import dev.tcc.api.ConfirmRefusedException;
import dev.tcc.spi.BranchReference;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class HttpBranchParticipantTests {

    private final SigningKeys keys = new SigningKeys("k1", Map.of("k1", "secret"), Duration.ofSeconds(30));
    private final Signer signer = new Signer(keys, Clock.systemUTC());
    private StubServer server;
    private HttpBranchParticipant participant;

    @BeforeEach
    void setUp() throws Exception {
        server = new StubServer();
        HttpSettings settings = HttpSettings.defaults().withKeys(keys);
        settings = new HttpSettings(Duration.ofSeconds(2), Duration.ofMillis(500), settings.participantPath(), null,
                settings.coordinatorUrl(), keys);
        participant = new HttpProtocolClient(settings, signer).participant(server.url("/tcc/participant/"));
    }

    @AfterEach
    void tearDown() {
        server.close();
    }

    private static BranchReference branch(String action) {
        return new BranchReference("x:1", 7, "ignored", action, Instant.parse("2026-12-03T10:00:00Z"), 1);
    }

    @Test
    void aConfirmIsASignedPostToTheDocumentedPath() throws Exception {
        participant.confirm(branch("hold seats"));

        StubServer.Request request = server.requests.get(0);
        assertThat(request.method()).isEqualTo("POST");
        assertThat(request.rawPath()).isEqualTo("/tcc/participant/x%3A1/7/confirm?action=hold%20seats");
        assertThatCode(() -> signer.verify(Signed.phaseCall(request.rawPath(), "x:1", "7", "CONFIRM"), request.signature()))
                .doesNotThrowAnyException();
        assertThatThrownBy(() -> signer.verify(Signed.phaseCall(request.rawPath(), "x:1", "7", "CANCEL"), request.signature()))
                .isInstanceOf(AuthenticationFailedException.class);
    }

    @Test
    void twoHundredAndTwoHundredEightAreDone() {
        for (int status : new int[] {200, 208}) {
            server.answer(r -> StubServer.Reply.of(status, "{}"));
            assertThatCode(() -> participant.confirm(branch("a"))).doesNotThrowAnyException();
            assertThatCode(() -> participant.cancel(branch("a"))).doesNotThrowAnyException();
        }
    }

    @Test
    void aConfirmAnswered409Or404IsRefused() {
        for (int status : new int[] {409, 404}) {
            // the endpoint's own answer names the branch; a 404/409 that does not (a proxy's) is retried instead
            server.answer(r -> StubServer.Reply.of(status, "{\"xid\":\"x:1\",\"branch\":\"7\",\"state\":\"CANCELLED\"}"));
            assertThatThrownBy(() -> participant.confirm(branch("a"))).isInstanceOf(ConfirmRefusedException.class)
                    .hasMessageContaining("HTTP " + status).hasMessageContaining("CANCELLED");
        }
    }

    @Test
    void aCancelAnswered409IsRefusedAnd404IsRetried() {
        server.answer(r -> StubServer.Reply.of(409, "{\"state\":\"CONFIRMED\"}"));
        assertThatThrownBy(() -> participant.cancel(branch("a"))).isInstanceOf(CancelRefusedException.class);

        server.answer(r -> StubServer.Reply.of(404, "no such action"));
        assertThatThrownBy(() -> participant.cancel(branch("a"))).isInstanceOf(RemoteCallException.class)
                .hasMessageContaining("HTTP 404: no such action");
    }

    @Test
    void otherStatusesAreFailuresToRetryWithStatusAndBody() {
        for (int status : new int[] {401, 500, 503, 400}) {
            server.answer(r -> StubServer.Reply.of(status, "x".repeat(1000)));
            assertThatThrownBy(() -> participant.confirm(branch("a"))).isInstanceOf(RemoteCallException.class)
                    .hasMessageContaining("HTTP " + status)
                    .satisfies(e -> assertThat(((RemoteCallException) e).status()).isEqualTo(status))
                    .satisfies(e -> assertThat(e.getMessage()).hasSizeLessThan(700));
        }
    }

    @Test
    void aReadTimeoutIsAFailureToRetry() {
        server.answer(r -> null);

        assertThatThrownBy(() -> participant.cancel(branch("a"))).isInstanceOf(RemoteCallException.class)
                .hasMessageContaining("timed out");
    }

    @Test
    void aLostCallIsCancelledWithARangeCancelAndNeverConfirmed() throws Exception {
        participant.cancel(branch(HttpBranchParticipant.callAction(1001, 1999)));

        assertThat(server.requests.get(0).rawPath()).isEqualTo("/tcc/participant/x%3A1/1001-1999/cancel");
        assertThatCode(() -> signer.verify(Signed.phaseCall("/tcc/participant/x%3A1/1001-1999/cancel", "x:1", "1001-1999",
                "CANCEL"), server.requests.get(0).signature())).doesNotThrowAnyException();
        assertThatThrownBy(() -> participant.confirm(branch(HttpBranchParticipant.callAction(1001, 1999)))).isInstanceOf(ConfirmRefusedException.class)
                .hasMessageContaining("never confirmed");
        assertThat(server.requests).hasSize(1);
    }

    @Test
    void withoutKeysNothingIsSigned() throws Exception {
        HttpBranchParticipant unsigned = new HttpProtocolClient(HttpSettings.defaults(), null).participant(server.url("/p"));

        unsigned.confirm(branch("a"));

        assertThat(server.requests.get(0).signature()).isNull();
        assertThat(unsigned.id()).isEqualTo(server.url("/p"));
    }
}

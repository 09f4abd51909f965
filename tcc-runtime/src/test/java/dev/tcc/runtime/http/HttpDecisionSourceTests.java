package dev.tcc.runtime.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tcc.spi.CoordinatorUnreachableException;
import dev.tcc.spi.Decision;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class HttpDecisionSourceTests {

    private final SigningKeys keys = new SigningKeys("k1", Map.of("k1", "secret"), Duration.ofSeconds(30));
    private final Signer signer = new Signer(keys, Clock.systemUTC());
    private final HttpProtocolClient client = new HttpProtocolClient(HttpSettings.defaults().withKeys(keys), signer);
    private StubServer server;

    @BeforeEach
    void setUp() throws Exception {
        server = new StubServer();
    }

    @AfterEach
    void tearDown() {
        server.close();
    }

    /** The coordinator's answer, signed with {@code answerSigner} over the question's sig. */
    private StubServer.Reply signedAnswer(StubServer.Request request, String body, Signer answerSigner) {
        String sig = answerSigner.sign(Signed.decisionAnswer(Signer.sigOf(request.signature()), request.rawPath(), "x-1",
                body.getBytes(StandardCharsets.UTF_8)));
        return new StubServer.Reply(200, body, Map.of(TccHeaders.SIGNATURE, sig));
    }

    @Test
    void aSignedAnswerIsTheDecision() throws Exception {
        server.answer(r -> signedAnswer(r, "{\"decision\":\"CONFIRM\"}", signer));
        HttpDecisionSource source = client.decisionSource(server.url("/tcc/coordinator"));

        assertThat(source.decideCancelUnlessConfirmed("x-1", 7)).isEqualTo(Decision.CONFIRM);

        StubServer.Request question = server.requests.get(0);
        assertThat(question.rawPath()).isEqualTo("/tcc/coordinator/x-1/7/decision");
        signer.verify(Signed.decisionQuestion(question.rawPath(), "x-1", "7"), question.signature());

        server.answer(r -> signedAnswer(r, "{ \"decision\" : \"CANCEL\" }", signer));
        assertThat(source.decideCancelUnlessConfirmed("x-1", 7)).isEqualTo(Decision.CANCEL);
    }

    @Test
    void anAnswerWithoutAValidSignatureIsIgnored() {
        HttpDecisionSource source = client.decisionSource(server.url("/tcc/coordinator"));
        Signer forger = new Signer(new SigningKeys("k1", Map.of("k1", "guessed"), Duration.ofSeconds(30)), Clock.systemUTC());

        server.answer(r -> StubServer.Reply.of(200, "{\"decision\":\"CONFIRM\"}"));
        assertThatThrownBy(() -> source.decideCancelUnlessConfirmed("x-1", 7)).isInstanceOf(RemoteCallException.class)
                .hasMessageContaining("not authenticated");

        server.answer(r -> signedAnswer(r, "{\"decision\":\"CONFIRM\"}", forger));
        assertThatThrownBy(() -> source.decideCancelUnlessConfirmed("x-1", 7)).isInstanceOf(RemoteCallException.class)
                .hasMessageContaining("not authenticated");

        // a genuine answer to another question (the body swapped too) does not fit this one
        server.answer(r -> {
            StubServer.Reply genuine = signedAnswer(r, "{\"decision\":\"CANCEL\"}", signer);
            return new StubServer.Reply(200, "{\"decision\":\"CONFIRM\"}", genuine.headers());
        });
        assertThatThrownBy(() -> source.decideCancelUnlessConfirmed("x-1", 7)).isInstanceOf(RemoteCallException.class);
    }

    @Test
    void anErrorAnswerMeansAskAgainLater() {
        HttpDecisionSource source = client.decisionSource(server.url("/tcc/coordinator"));

        server.answer(r -> StubServer.Reply.of(503, "{\"message\":\"log down\"}"));
        assertThatThrownBy(() -> source.decideCancelUnlessConfirmed("x-1", 7)).isInstanceOf(RemoteCallException.class)
                .isNotInstanceOf(CoordinatorUnreachableException.class).hasMessageContaining("HTTP 503").hasMessageContaining("log down");

        server.answer(r -> signedAnswer(r, "{\"decision\":\"MAYBE\"}", signer));
        assertThatThrownBy(() -> source.decideCancelUnlessConfirmed("x-1", 7)).isInstanceOf(RemoteCallException.class)
                .hasMessageContaining("no decision");
    }

    @Test
    void aRefusedConnectionIsUnreachable() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        HttpDecisionSource source = client.decisionSource("http://127.0.0.1:" + port + "/tcc/coordinator");

        assertThatThrownBy(() -> source.decideCancelUnlessConfirmed("x-1", 7))
                .isInstanceOf(CoordinatorUnreachableException.class).hasMessageContaining("cannot be reached");
    }

    @Test
    void readNeverAsksAndNeverDecides() {
        assertThat(client.decisionSource(server.url("/c")).read("x-1")).isEqualTo(Decision.UNDECIDED);
        assertThat(server.requests).isEmpty();
    }
}

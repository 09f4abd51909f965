package dev.tcc.runtime.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import dev.tcc.api.ConfirmRefusedException;
import dev.tcc.api.TryRefusedException;
import dev.tcc.runtime.TccRuntime;
import dev.tcc.runtime.coordinator.GlobalTransaction;
import dev.tcc.runtime.model.TccSettings;
import dev.tcc.runtime.support.Ticker;
import dev.tcc.runtime.testing.TestDatabases;
import dev.tcc.spi.BranchReference;
import dev.tcc.spi.CoordinatorUnreachableException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.util.List;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Failing tests for the review of the cross-service protocol (issue 13). Each one names its finding. */
class ReviewFindingsTests {

    private static final SigningKeys KEYS = new SigningKeys("k1", Map.of("k1", "s3cr3t-k1"), Duration.ofSeconds(30));
    private final Signer signer = new Signer(KEYS, Clock.systemUTC());
    private final HttpProtocolClient client = new HttpProtocolClient(HttpSettings.defaults().withKeys(KEYS), signer);
    private HikariDataSource log;
    private HikariDataSource flights;
    private TccRuntime runtime;
    private StubServer server;

    @BeforeEach
    void setUp() throws Exception {
        log = TestDatabases.h2("log");
        flights = TestDatabases.h2("flights");
        runtime = TccRuntime.builder().transactionLog(log).initializeSchema(true)
                .settings(TccSettings.builder().asynchronousPhaseTwo(false).build())
                .http(HttpSettings.defaults().withKeys(KEYS)).build();
        runtime.action("holdSeats", String.class, String.class).database("flights", flights)
                .onTry((c, arg, ctx) -> "seat").onConfirm((c, arg, ctx) -> { }).onCancel((c, arg, ctx) -> { }).register();
        runtime.action("holdRooms", String.class, String.class).database("flights", flights)
                .onTry((c, arg, ctx) -> "room").onConfirm((c, arg, ctx) -> { }).onCancel((c, arg, ctx) -> { }).register();
        server = new StubServer();
    }

    @AfterEach
    void tearDown() {
        server.close();
        runtime.close();
        log.close();
        flights.close();
    }

    private static BranchReference branch(String action, int id) {
        return new BranchReference("x-1", id, "ignored", action, Instant.now().plusSeconds(60), 1);
    }

    /**
     * Finding 1: a repeated delivery of a call whose handler tries in another order (or another action) lands a try of
     * 'holdRooms' on the id 'holdSeats' already holds. The barrier answers it as a duplicate of itself: the body is rolled
     * back, yet the try "succeeds" with the other action's stored result, and the branch is reported as holdRooms.
     */
    @Test
    void aTryOfAnotherActionOnATakenBranchIdIsRefusedNotTakenForADuplicate() throws Exception {
        Instant hold = Instant.now().plusSeconds(60);
        runtime.participant("holdSeats").tryBranch("x-1", 7, hold, hold, new Object[] {"LH1"}, ctx -> "seat");

        assertThatThrownBy(() -> runtime.participant("holdRooms").tryBranch("x-1", 7, hold, hold, new Object[] {"H1"},
                ctx -> "room")).isInstanceOf(TryRefusedException.class);
    }

    /** Finding 1, continued: the branch so reported can then never be confirmed nor refused: 503 for ever. */
    @Test
    void aConfirmNamingAnotherActionThanTheRowsIsAnswerableNotRetriedForEver() throws Exception {
        Instant hold = Instant.now().plusSeconds(60);
        runtime.participant("holdSeats").tryBranch("x-1", 7, hold, hold, new Object[] {"LH1"}, ctx -> "seat");
        String path = "/tcc/participant/x-1/7/confirm?action=holdRooms";
        EndpointAnswer answer = runtime.participantEndpoint().handle("POST", path, "x-1", "7", "confirm", "holdRooms",
                signer.sign(Signed.phaseCall(path, "x-1", "7", "confirm")), new byte[0]);

        assertThat(answer.status()).as("a row of another action: 404 (unknown here), not 503 (retry for ever)")
                .isEqualTo(404);
    }

    /**
     * Finding 2: a 404 that is not the endpoint's own answer (a proxy's, or a server with no participant endpoint at
     * that path) is taken for "no try here": the confirm is refused and the transaction ends HEURISTIC at once.
     */
    @Test
    void aPlain404WithoutTheProtocolsBodyIsRetriedNotARefusedConfirm() {
        server.answer(r -> new StubServer.Reply(404, "<html>Not Found</html>", Map.of("Content-Type", "text/html")));
        HttpBranchParticipant participant = client.participant(server.url("/tcc/participant"));

        assertThatThrownBy(() -> participant.confirm(branch("holdSeats", 7)))
                .isNotInstanceOf(ConfirmRefusedException.class).isInstanceOf(RemoteCallException.class);
    }

    /**
     * Finding 3: a call to an ordinary (non-TCC) service that times out inside a transaction becomes an in-doubt
     * branch whose range cancel goes to that service's {host}/tcc/participant: 404, retried, then FAILED, although
     * nothing can have been tried there.
     */
    @Test
    void aRangeCancelAnswered404IsDoneNotRetriedUntilFailed() {
        server.answer(r -> StubServer.Reply.of(404, "Not Found"));
        HttpBranchParticipant participant = client.participant(server.url("/tcc/participant"));

        assertThatCode(() -> participant.cancel(branch(HttpBranchParticipant.callAction(5, 9), 4)))
                .doesNotThrowAnyException();
    }

    /**
     * Finding 4: the coordinator read the whole question (and may have decided and answered CONFIRM), then the
     * connection was reset: that is not "unreachable", yet it counts towards expiring the hold alone (HEURISTIC).
     */
    @Test
    void aResetAfterTheQuestionWasReadIsNoAnswerNotUnreachable() throws Exception {
        AtomicBoolean questionRead = new AtomicBoolean();
        try (ServerSocket coordinator = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
            Thread accept = new Thread(() -> {
                try (Socket s = coordinator.accept()) {
                    InputStream in = s.getInputStream();
                    byte[] tail = new byte[4];
                    int b;
                    while ((b = in.read()) >= 0) { // up to the blank line ending the headers (the body is empty)
                        System.arraycopy(tail, 1, tail, 0, 3);
                        tail[3] = (byte) b;
                        if (tail[0] == '\r' && tail[1] == '\n' && tail[2] == '\r' && tail[3] == '\n') {
                            break;
                        }
                    }
                    questionRead.set(true);
                    s.setSoLinger(true, 0); // RST
                } catch (Exception ignored) {
                    // the test asserts on what the client saw
                }
            });
            accept.start();
            HttpDecisionSource source = client.decisionSource("http://127.0.0.1:" + coordinator.getLocalPort() + "/tcc/coordinator");

            Throwable thrown = org.assertj.core.api.Assertions.catchThrowable(() -> source.decideCancelUnlessConfirmed("x-1", 7));
            accept.join(5_000);
            assertThat(questionRead).isTrue();
            assertThat(thrown).isNotInstanceOf(CoordinatorUnreachableException.class).isInstanceOf(RemoteCallException.class);
        }
    }

    /**
     * Finding 5: a Tcc-Coordinator that no question can ever reach (no host, an opaque URL, a query, longer than the
     * barrier's VARCHAR(500)) is accepted; questions then fail with IllegalArgumentException (neither an answer nor
     * "unreachable"), so the hold never ends.
     */
    @Test
    void aCoordinatorUrlNoQuestionCanReachIsRefusedAtJoin() {
        InboundCalls inbound = new InboundCalls(HttpSettings.defaults(), null, Clock.systemUTC(), Ticker.SYSTEM);
        for (String coordinator : new String[] {"http:///tcc/coordinator", "http:opaque", "http://a/tcc/coordinator?x=1",
                "http://a/" + "c".repeat(600)}) {
            Map<String, String> headers = new HashMap<>();
            headers.put(TccHeaders.XID, "x-1");
            headers.put(TccHeaders.BRANCH_RANGE, "2-9");
            headers.put(TccHeaders.TIMEOUT, Instant.now().plusSeconds(60).toString());
            headers.put(TccHeaders.COORDINATOR, coordinator);
            assertThatThrownBy(() -> inbound.join("POST", "/holds", headers::get, new byte[0]).close())
                    .as(coordinator).isInstanceOf(IllegalArgumentException.class);
        }
    }

    /** Finding 5, continued: such a URL makes the question throw something hold expiry can only "ask again" after. */
    @Test
    void aQuestionToAnUnusableCoordinatorUrlCountsAsUnreachable() {
        HttpDecisionSource source = client.decisionSource("http:///tcc/coordinator");

        assertThatThrownBy(() -> source.decideCancelUnlessConfirmed("x-1", 7)).isInstanceOf(CoordinatorUnreachableException.class);
    }

    /**
     * Finding 6: an action a participant service really has, named like the caller's lost-call marker, is never
     * confirmed (refused without a call: HEURISTIC) and its cancel becomes a range cancel of other branches.
     */
    @Test
    void aRemoteActionNamedLikeTheLostCallMarkerIsConfirmedThroughItsEndpoint() throws Exception {
        server.answer(r -> StubServer.Reply.of(200, "{}"));
        HttpBranchParticipant participant = client.participant(server.url("/tcc/participant"));

        assertThatCode(() -> participant.confirm(branch("call 3-4", 7))).doesNotThrowAnyException();
        assertThat(server.requests).hasSize(1);
    }

    /** Finding 7: a 401 tells an unauthenticated client every key id the service accepts. */
    @Test
    void aRefusedSignatureDoesNotListTheKeyIdsThisServiceAccepts() {
        Signer stranger = new Signer(new SigningKeys("guess", Map.of("guess", "x"), Duration.ofSeconds(30)), Clock.systemUTC());
        String path = "/tcc/participant/x-1/7/confirm?action=holdSeats";
        EndpointAnswer answer = runtime.participantEndpoint().handle("POST", path, "x-1", "7", "confirm", "holdSeats",
                stranger.sign(Signed.phaseCall(path, "x-1", "7", "confirm")), new byte[0]);

        assertThat(answer.status()).isEqualTo(401);
        assertThat(answer.body()).doesNotContain("k1");
    }
    /**
     * Finding 8: a gateway's 502/503/504 (the participant may still be trying behind it) carries no Tcc headers, so the
     * caller takes it for "nothing was tried there": no in-doubt branch, no cancel-only. If user code swallows the
     * exception the transaction confirms without the participant's late tries (their holds are then cancelled by the
     * question): the "a lost answer cancels" rule of how-it-works.md does not hold for an answer a proxy made up.
     */
    @Test
    void aGatewayTimeoutAnswerCountsAsALostAnswer() {
        Instant now = Instant.now();
        GlobalTransaction tx = GlobalTransaction.joined("x-1", now, now.plusSeconds(60), 0, 1, Integer.MAX_VALUE,
                "http://a/tcc/coordinator");
        OutboundCalls calls = new OutboundCalls(HttpSettings.defaults().withKeys(KEYS), signer, Clock.systemUTC());
        OutboundCall call = calls.begin(tx, "POST", URI.create("http://flights/holds"), new byte[0]);

        call.answered(504, name -> List.of());

        assertThat(tx.cancelOnlyReason()).as("cancel-only after a gateway timeout").isNotNull();
        assertThat(tx.branches()).as("the call's in-doubt branch, for a range cancel").hasSize(1);
    }
    /**
     * Finding 9: the xid form admits "." and "..", which PercentEncoding.unreserved leaves as they are: the phase-two and
     * question URLs then hold a dot segment that servers and proxies normalise away (RFC 3986, 5.2.4), so the branch
     * can never be confirmed (404: HEURISTIC) nor asked about (the hold never ends).
     */
    @Test
    void anXidThatIsADotSegmentIsRefusedOrEncoded() {
        URI question = HttpProtocolClient.uri("http://a/tcc/coordinator", null, "..", "7", "decision");
        assertThat(question.normalize()).as("the question's URL survives normalisation").isEqualTo(question);
    }
    /**
     * Finding 10: the TRY signature names no service. A signed call to flights, replayed within the skew to hotels
     * (same path), is joined there with the very range flights got: hotels' tries take ids that flights' listed branches
     * already have, so the coordinator's per-branch question answers CONFIRM for work the initiator never saw.
     */
    @Test
    void aSignedCallToOneServiceIsRefusedWhenReplayedToAnother() {
        Instant now = Instant.now();
        GlobalTransaction tx = GlobalTransaction.joined("x-1", now, now.plusSeconds(60), 0, 1, Integer.MAX_VALUE,
                "http://a/tcc/coordinator");
        OutboundCall toFlights = new OutboundCalls(HttpSettings.defaults().withKeys(KEYS), signer, Clock.systemUTC())
                .begin(tx, "POST", URI.create("http://flights:8080/holds"), new byte[0]);
        Map<String, String> replayed = new HashMap<>(toFlights.requestHeaders());
        replayed.put("Host", "hotels:8080");
        InboundCalls hotels = new InboundCalls(HttpSettings.defaults().withKeys(KEYS), signer, Clock.systemUTC(), Ticker.SYSTEM);

        assertThatThrownBy(() -> hotels.join("POST", "/holds", replayed::get, new byte[0]).close())
                .isInstanceOf(AuthenticationFailedException.class);
    }
}

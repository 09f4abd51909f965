package dev.tcc.runtime.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import dev.tcc.api.TryRefusedException;
import dev.tcc.runtime.TccRuntime;
import dev.tcc.runtime.action.LocalParticipant;
import dev.tcc.runtime.model.TccSettings;
import dev.tcc.runtime.testing.TestDatabases;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The participant endpoint's logic on a real H2 participant database, with a plain-Java action. */
class ParticipantEndpointTests {

    private static final SigningKeys KEYS = new SigningKeys("k1", Map.of("k1", "s3cr3t-k1"), Duration.ofSeconds(30));
    private final Signer signer = new Signer(KEYS, Clock.systemUTC());
    private final AtomicInteger tries = new AtomicInteger();
    private HikariDataSource log;
    private HikariDataSource flights;
    private TccRuntime runtime;
    private ParticipantEndpoint endpoint;

    @BeforeEach
    void setUp() {
        log = TestDatabases.h2("log");
        flights = TestDatabases.h2("flights");
        TestDatabases.execute(flights, "CREATE TABLE body_run (xid VARCHAR(64), phase VARCHAR(16))");
        runtime = TccRuntime.builder().transactionLog(log).initializeSchema(true)
                .settings(TccSettings.builder().asynchronousPhaseTwo(false).build())
                .http(HttpSettings.defaults().withKeys(KEYS)).build();
        runtime.action("holdSeats", String.class, String.class)
                .database("flights", flights)
                .onTry((c, arg, ctx) -> "held")
                .onConfirm((c, arg, ctx) -> ran(c, ctx.xid(), "CONFIRM"))
                .onCancel((c, arg, ctx) -> ran(c, ctx.xid(), "CANCEL"))
                .register();
        endpoint = runtime.participantEndpoint();
    }

    @AfterEach
    void tearDown() {
        runtime.close();
        log.close();
        flights.close();
    }

    private static void ran(Connection c, String xid, String phase) throws Exception {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO body_run VALUES (?, ?)")) {
            ps.setString(1, xid);
            ps.setString(2, phase);
            ps.executeUpdate();
        }
    }

    private void tryBranch(String xid, int branchId) throws Exception {
        LocalParticipant participant = runtime.participant("holdSeats");
        Instant hold = Instant.now().plusSeconds(60);
        participant.tryBranch(xid, branchId, hold, hold, new Object[] {"LH1"}, context -> {
            tries.incrementAndGet();
            return "held";
        });
    }

    private EndpointAnswer post(String xid, String branch, String phase, String action) {
        return post(xid, branch, phase, action, signer);
    }

    private EndpointAnswer post(String xid, String branch, String phase, String action, Signer by) {
        String path = "/tcc/participant/" + xid + "/" + branch + "/" + phase + (action == null ? "" : "?action=" + action);
        String signature = by.sign(Signed.phaseCall(path, xid, branch, phase));
        return endpoint.handle("POST", path, xid, branch, phase, action, signature, new byte[0]);
    }

    private long bodies(String phase) {
        return TestDatabases.queryLong(flights, "SELECT COUNT(*) FROM body_run WHERE phase = '" + phase + "'");
    }

    private List<String> barrier() throws Exception {
        List<String> rows = new ArrayList<>();
        try (Connection c = flights.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT xid, branch_id, action, state, hold_deadline, updated_at FROM tcc_barrier ORDER BY xid, branch_id");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                rows.add(rs.getString(1) + "|" + rs.getInt(2) + "|" + rs.getString(3) + "|" + rs.getString(4) + "|"
                        + rs.getString(5) + "|" + rs.getString(6));
            }
        }
        return rows;
    }

    @Test
    void aConfirmDeliveredTwiceRunsItsBodyOnceAndSaysSo() throws Exception {
        tryBranch("x-1", 7);

        EndpointAnswer first = post("x-1", "7", "confirm", "holdSeats");
        EndpointAnswer second = post("x-1", "7", "confirm", "holdSeats");

        assertThat(first.status()).isEqualTo(200);
        assertThat(first.body()).isEqualTo("{\"xid\":\"x-1\",\"branch\":\"7\",\"state\":\"CONFIRMED\",\"message\":\"CONFIRMED\"}");
        assertThat(first.headers()).containsEntry("Content-Type", "application/json");
        assertThat(second.status()).isEqualTo(208);
        assertThat(bodies("CONFIRM")).isEqualTo(1);
    }

    @Test
    void aCancelOfABranchNeverTriedHereRefusesItsLateTry() throws Exception {
        assertThat(post("x-2", "7", "cancel", "holdSeats").status()).isEqualTo(200);
        assertThat(post("x-2", "7", "cancel", "holdSeats").status()).isEqualTo(208);

        assertThatThrownBy(() -> tryBranch("x-2", 7)).isInstanceOf(TryRefusedException.class);
        assertThat(barrier()).singleElement().satisfies(r -> assertThat(r).startsWith("x-2|7|holdSeats|CANCELLED|"));
        assertThat(bodies("CANCEL")).isZero();
    }

    @Test
    void aConfirmAfterACancelIsRefusedAndACancelAfterAConfirmToo() throws Exception {
        tryBranch("x-3", 7);
        tryBranch("x-3", 8);
        assertThat(post("x-3", "7", "cancel", "holdSeats").status()).isEqualTo(200);
        assertThat(post("x-3", "8", "confirm", "holdSeats").status()).isEqualTo(200);

        EndpointAnswer confirm = post("x-3", "7", "confirm", "holdSeats");
        EndpointAnswer cancel = post("x-3", "8", "cancel", "holdSeats");

        assertThat(confirm.status()).isEqualTo(409);
        assertThat(confirm.body()).contains("\"state\":\"CANCELLED\"");
        assertThat(cancel.status()).isEqualTo(409);
        assertThat(cancel.body()).contains("\"state\":\"CONFIRMED\"");
        assertThat(bodies("CANCEL")).isEqualTo(1);
        assertThat(bodies("CONFIRM")).isEqualTo(1);
    }

    @Test
    void aConfirmOfABranchNeverTriedOrOfAnUnknownActionIsUnknown() throws Exception {
        tryBranch("x-4", 7);

        assertThat(post("x-4", "9", "confirm", "holdSeats").status()).isEqualTo(404);
        assertThat(post("x-4", "7", "confirm", "holdRooms").status()).isEqualTo(404);
        assertThat(post("x-4", "7", "cancel", "holdRooms").status()).isEqualTo(404);
        assertThat(bodies("CONFIRM")).isZero();
    }

    @Test
    void anUnauthenticatedRequestIsRefusedAndChangesNothing() throws Exception {
        tryBranch("x-5", 7);
        List<String> before = barrier();
        Signer stranger = new Signer(new SigningKeys("k1", Map.of("k1", "gu3ss-k1"), Duration.ofSeconds(30)), Clock.systemUTC());
        String path = "/tcc/participant/x-5/7/confirm?action=holdSeats";
        String confirmSignature = signer.sign(Signed.phaseCall(path, "x-5", "7", "confirm"));

        List<EndpointAnswer> answers = List.of(
                post("x-5", "7", "confirm", "holdSeats", stranger),
                post("x-5", "7", "cancel", "holdSeats", stranger),
                post("x-5", "8", "cancel", "holdSeats", stranger),
                post("x-5", "1-100", "cancel", null, stranger),
                endpoint.handle("POST", path, "x-5", "7", "confirm", "holdSeats", null, new byte[0]),
                endpoint.handle("POST", path.replace("confirm", "cancel"), "x-5", "7", "cancel", "holdSeats",
                        confirmSignature, new byte[0]),
                endpoint.handle("POST", path, "x-5", "7", "cancel", "holdSeats", confirmSignature, new byte[0]));

        assertThat(answers).allSatisfy(a -> {
            assertThat(a.status()).isEqualTo(401);
            assertThat(a.body()).doesNotContain("s3cr3t-k1", "gu3ss-k1");
        });
        assertThat(barrier()).isEqualTo(before);
        assertThat(bodies("CONFIRM") + bodies("CANCEL")).isZero();
    }

    @Test
    void aRangeCancelCancelsTheTriedBranchesOfTheRangeOnly() throws Exception {
        tryBranch("x-6", 1002);
        tryBranch("x-6", 1003);
        tryBranch("x-6", 1999);
        tryBranch("x-6", 2000);
        tryBranch("x-7", 1002);

        EndpointAnswer first = post("x-6", "1001-1999", "cancel", null);
        EndpointAnswer again = post("x-6", "1001-1999", "cancel", null);

        assertThat(first.status()).isEqualTo(200);
        assertThat(again.status()).isEqualTo(208);
        assertThat(bodies("CANCEL")).isEqualTo(3);
        assertThat(barrier()).filteredOn(r -> r.contains("|TRIED|")).hasSize(2)
                .anySatisfy(r -> assertThat(r).startsWith("x-6|2000|"))
                .anySatisfy(r -> assertThat(r).startsWith("x-7|1002|"));
        assertThat(post("x-8", "1-5", "cancel", null).status()).isEqualTo(208);
    }

    @Test
    void aRangeCancelThatMeetsAConfirmedBranchSaysSo() throws Exception {
        tryBranch("x-9", 1002);
        tryBranch("x-9", 1003);
        assertThat(post("x-9", "1003", "confirm", "holdSeats").status()).isEqualTo(200);

        EndpointAnswer range = post("x-9", "1001-1999", "cancel", null);

        assertThat(range.status()).isEqualTo(409);
        assertThat(range.body()).contains("[1003]");
        assertThat(bodies("CANCEL")).isEqualTo(1);
    }

    @Test
    void malformedRequestsAreBadRequests() {
        assertThat(post("x-1", "abc", "cancel", "holdSeats").status()).isEqualTo(400);
        assertThat(post("x-1", "0", "cancel", "holdSeats").status()).isEqualTo(400);
        assertThat(post("x-1", "9-3", "cancel", null).status()).isEqualTo(400);
        assertThat(post("x-1", "1-9", "confirm", null).status()).isEqualTo(400);
        assertThat(post("x-1", "7", "cancel", null).status()).isEqualTo(400);
        assertThat(post("x-1", "7", "abort", "holdSeats").status()).isEqualTo(400);
        assertThat(post("x%201", "7", "cancel", "holdSeats").status()).isEqualTo(400);
    }

    @Test
    void theJsonBodyEscapesWhatItQuotes() {
        assertThat(EndpointAnswers.of(200, "a\"b", "1", null, "line\nnext \\ \u0001").body())
                .isEqualTo("{\"xid\":\"a\\\"b\",\"branch\":\"1\",\"state\":null,\"message\":\"line\\nnext \\\\ \\u0001\"}");
    }
}

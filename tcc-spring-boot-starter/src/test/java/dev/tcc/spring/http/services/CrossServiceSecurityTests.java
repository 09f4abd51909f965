package dev.tcc.spring.http.services;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tcc.api.operations.TransactionState;
import dev.tcc.runtime.http.Signed;
import dev.tcc.runtime.http.Signer;
import dev.tcc.runtime.http.SigningKeys;
import dev.tcc.runtime.http.TccHeaders;
import dev.tcc.runtime.testing.TestDatabases;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Every request that could change a branch, when not authenticated, is refused with 401 and changes nothing:
 * unsigned, wrongly signed, stale, with an unknown key id, with its path, body or phase altered, to the
 * participant endpoint, the coordinator endpoint and the business call that carries a transaction. Each case
 * also sends the well-signed request last, to show the refusals come from the signature and nothing else.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CrossServiceSecurityTests {

    private RunningService a;
    private RunningService b;

    /** A booking A decided to confirm while B's endpoint was down: B still holds a tried branch. */
    private String booking;
    private String xid;
    private Object branchId;
    private String action;

    @BeforeAll
    void startServices() {
        b = RunningService.start("b", TestDatabases.Kind.H2);
        a = RunningService.start("a", TestDatabases.Kind.H2);
    }

    @AfterAll
    void stopServices() {
        for (RunningService service : new RunningService[] {a, b}) {
            if (service != null) {
                service.close();
            }
        }
    }

    @BeforeEach
    void aTriedBranchWaitsInB() {
        booking = "bk-" + UUID.randomUUID().toString().substring(0, 8);
        b.outage().down.set(true);
        try {
            xid = a.booking().book(booking, List.of(b.holds(booking)));
        } finally {
            b.outage().down.set(false);
        }
        Map<String, Object> branch = b.rows().barrier(xid).get(0);
        branchId = branch.get("branch_id");
        action = String.valueOf(branch.get("action"));
        assertThat(b.rows().state(booking)).isEqualTo("PENDING");
    }

    @Test
    void theParticipantEndpointRefusesEveryUnauthenticatedConfirmOrCancel() {
        String confirm = SignedCalls.phaseTwoPath(xid, branchId, "confirm", action);
        String cancel = SignedCalls.phaseTwoPath(xid, branchId, "cancel", action);
        String range = SignedCalls.phaseTwoPath(xid, "1-2147483647", "cancel", null);
        Signer good = SignedCalls.signer();
        Map<String, Runnable> attacks = new LinkedHashMap<>();
        for (String path : List.of(confirm, cancel)) {
            String phase = path.equals(confirm) ? "confirm" : "cancel";
            attacks.put(phase + " unsigned", expect401(() -> SignedCalls.phaseTwo(b, path, null)));
            attacks.put(phase + " with a malformed signature", expect401(() -> SignedCalls.phaseTwo(b, path, "v1;key=k1;sig=xyz")));
            attacks.put(phase + " signed with a wrong secret",
                    expect401(() -> SignedCalls.phaseTwo(b, path, SignedCalls.signPhaseTwo(wrongSecret(), path, xid, branchId, phase))));
            attacks.put(phase + " signed five minutes ago",
                    expect401(() -> SignedCalls.phaseTwo(b, path, SignedCalls.signPhaseTwo(skewed(-5), path, xid, branchId, phase))));
            attacks.put(phase + " signed five minutes ahead",
                    expect401(() -> SignedCalls.phaseTwo(b, path, SignedCalls.signPhaseTwo(skewed(5), path, xid, branchId, phase))));
            attacks.put(phase + " signed with an unknown key id",
                    expect401(() -> SignedCalls.phaseTwo(b, path, SignedCalls.signPhaseTwo(unknownKey(), path, xid, branchId, phase))));
            String otherBranch = SignedCalls.phaseTwoPath(xid, 7777, phase, action);
            attacks.put(phase + " signed for another branch's path",
                    expect401(() -> SignedCalls.phaseTwo(b, path, SignedCalls.signPhaseTwo(good, otherBranch, xid, 7777, phase))));
            attacks.put(phase + " with a body the signature does not cover", expect401(() -> SignedCalls.post(b.url(path),
                    Map.of(TccHeaders.SIGNATURE, SignedCalls.signPhaseTwo(good, path, xid, branchId, phase)),
                    "{\"state\":\"CONFIRMED\"}".getBytes(StandardCharsets.UTF_8))));
        }
        attacks.put("a confirm signature reused for the cancel",
                expect401(() -> SignedCalls.phaseTwo(b, cancel, SignedCalls.signPhaseTwo(good, confirm, xid, branchId, "confirm"))));
        attacks.put("a confirm signed with the cancel's path but phase CONFIRM",
                expect401(() -> SignedCalls.phaseTwo(b, cancel, SignedCalls.signPhaseTwo(good, cancel, xid, branchId, "confirm"))));
        attacks.put("a range cancel unsigned", expect401(() -> SignedCalls.phaseTwo(b, range, null)));
        attacks.put("a range cancel signed with a wrong secret",
                expect401(() -> SignedCalls.phaseTwo(b, range, SignedCalls.signPhaseTwo(wrongSecret(), range, xid, "1-2147483647", "cancel"))));

        assertRefusedAndUnchanged(attacks, b);

        HttpResponse<String> signed = SignedCalls.phaseTwo(b, confirm, SignedCalls.signPhaseTwo(good, confirm, xid, branchId, "confirm"));
        assertThat(signed.statusCode()).as("the well-signed confirm: " + signed.body()).isEqualTo(200);
        assertThat(b.rows().state(booking)).isEqualTo("CONFIRMED");
    }

    @Test
    void theCoordinatorEndpointRefusesEveryUnauthenticatedDecisionQuestion() {
        // a question about an xid the coordinator does not know records a cancel (a tombstone) when authenticated
        String unknown = "forged-" + UUID.randomUUID().toString().substring(0, 8);
        String path = "/tcc/coordinator/" + unknown + "/5/decision";
        String pending = "/tcc/coordinator/" + xid + "/" + branchId + "/decision";
        Signer good = SignedCalls.signer();
        Map<String, Runnable> attacks = new LinkedHashMap<>();
        attacks.put("unsigned", expect401(() -> SignedCalls.phaseTwo(a, path, null)));
        attacks.put("signed with a wrong secret", expect401(() -> SignedCalls.phaseTwo(a, path, decision(wrongSecret(), path, unknown, "5"))));
        attacks.put("signed five minutes ago", expect401(() -> SignedCalls.phaseTwo(a, path, decision(skewed(-5), path, unknown, "5"))));
        attacks.put("signed with an unknown key id", expect401(() -> SignedCalls.phaseTwo(a, path, decision(unknownKey(), path, unknown, "5"))));
        attacks.put("signed for another branch", expect401(() -> SignedCalls.phaseTwo(a, path,
                decision(good, "/tcc/coordinator/" + unknown + "/6/decision", unknown, "6"))));
        attacks.put("signed for another phase", expect401(() -> SignedCalls.phaseTwo(a, path,
                good.sign(new Signed("POST", path, unknown, "5", "CANCEL", new byte[0])))));
        attacks.put("a question about a pending transaction, unsigned", expect401(() -> SignedCalls.phaseTwo(a, pending, null)));

        List<Map<String, Object>> transactions = a.rows().wholeTransactionTable();
        assertRefusedAndUnchanged(attacks, a);
        assertThat(a.rows().wholeTransactionTable()).as("A's transaction log").isEqualTo(transactions);
        assertThat(a.runtime().find(xid).orElseThrow().state()).isEqualTo(TransactionState.CONFIRMING);

        HttpResponse<String> signed = SignedCalls.phaseTwo(a, path, decision(good, path, unknown, "5"));
        assertThat(signed.statusCode()).as("the well-signed question: " + signed.body()).isEqualTo(200);
        assertThat(signed.body()).contains("CANCEL");
        assertThat(signed.headers().firstValue(TccHeaders.SIGNATURE)).as("a signed answer").isPresent();
    }

    @Test
    void aCallCarryingATransactionIsRefusedUnlessItsContextIsAuthenticated() {
        String forged = "forged-" + UUID.randomUUID().toString().substring(0, 8);
        String other = "bk-" + UUID.randomUUID().toString().substring(0, 8);
        String path = "/holds?booking=" + other;
        String coordinator = a.url("/tcc/coordinator");
        String timeout = SignedCalls.timeoutIn(30);
        byte[] body = "{\"seats\":2}".getBytes(StandardCharsets.UTF_8);
        Signer good = SignedCalls.signer();
        Map<String, Runnable> attacks = new LinkedHashMap<>();
        attacks.put("unsigned", expect401(() -> call(path, SignedCalls.contextHeaders(null, b.url(path), forged, "1000-1999", timeout, coordinator, body), body)));
        attacks.put("signed with a wrong secret", expect401(() -> call(path,
                SignedCalls.contextHeaders(wrongSecret(), b.url(path), forged, "1000-1999", timeout, coordinator, body), body)));
        attacks.put("signed five minutes ago", expect401(() -> call(path,
                SignedCalls.contextHeaders(skewed(-5), b.url(path), forged, "1000-1999", timeout, coordinator, body), body)));
        attacks.put("signed with an unknown key id", expect401(() -> call(path,
                SignedCalls.contextHeaders(unknownKey(), b.url(path), forged, "1000-1999", timeout, coordinator, body), body)));
        attacks.put("its body altered", expect401(() -> call(path,
                SignedCalls.contextHeaders(good, b.url(path), forged, "1000-1999", timeout, coordinator, body), "{\"seats\":9}".getBytes(StandardCharsets.UTF_8))));
        attacks.put("its query altered", expect401(() -> call(path + "x",
                SignedCalls.contextHeaders(good, b.url(path), forged, "1000-1999", timeout, coordinator, body), body)));
        attacks.put("its range altered", expect401(() -> call(path, with(
                SignedCalls.contextHeaders(good, b.url(path), forged, "1000-1999", timeout, coordinator, body), TccHeaders.BRANCH_RANGE, "1-2147483647"), body)));
        attacks.put("its xid altered", expect401(() -> call(path, with(
                SignedCalls.contextHeaders(good, b.url(path), forged, "1000-1999", timeout, coordinator, body), TccHeaders.XID, xid), body)));
        attacks.put("its timeout altered", expect401(() -> call(path, with(
                SignedCalls.contextHeaders(good, b.url(path), forged, "1000-1999", timeout, coordinator, body), TccHeaders.TIMEOUT, SignedCalls.timeoutIn(3600)), body)));
        attacks.put("its coordinator altered", expect401(() -> call(path, with(
                SignedCalls.contextHeaders(good, b.url(path), forged, "1000-1999", timeout, coordinator, body), TccHeaders.COORDINATOR,
                "http://attacker.example/tcc/coordinator"), body)));
        attacks.put("a confirm signature in place of the try's", expect401(() -> call(path, with(
                SignedCalls.contextHeaders(good, b.url(path), forged, "1000-1999", timeout, coordinator, body), TccHeaders.SIGNATURE,
                SignedCalls.signPhaseTwo(good, path, forged, "1000-1999", "confirm")), body)));

        assertRefusedAndUnchanged(attacks, b);
        assertThat(b.rows().state(other)).as("no handler ran").isNull();

        HttpResponse<String> signed = call(path, SignedCalls.contextHeaders(good, b.url(path), forged, "1000-1999", timeout, coordinator, body), body);
        assertThat(signed.statusCode()).as("the well-signed call: " + signed.body()).isEqualTo(200);
        assertThat(b.rows().state(other)).isEqualTo("PENDING");
        assertThat(signed.headers().allValues(TccHeaders.BRANCH)).hasSize(1);
        assertThat(signed.headers().firstValue(TccHeaders.SIGNATURE)).as("signed registration headers").isPresent();
    }

    private HttpResponse<String> call(String pathAndQuery, Map<String, String> headers, byte[] body) {
        Map<String, String> withType = new LinkedHashMap<>(headers);
        withType.put("Content-Type", "application/json");
        return SignedCalls.post(b.url(pathAndQuery), withType, body);
    }

    private static Map<String, String> with(Map<String, String> headers, String name, String value) {
        Map<String, String> changed = new LinkedHashMap<>(headers);
        changed.put(name, value);
        return changed;
    }

    private static String decision(Signer signer, String path, String xid, String branch) {
        return signer.sign(new Signed("POST", path, xid, branch, "DECISION", new byte[0]));
    }

    private static Signer wrongSecret() {
        return new Signer(new SigningKeys(RunningService.KEY_ID, Map.of(RunningService.KEY_ID, "not-the-shared-secret-0123456789"),
                Duration.ofSeconds(30)), Clock.systemUTC());
    }

    private static Signer unknownKey() {
        return new Signer(new SigningKeys("k9", Map.of("k9", RunningService.SECRET), Duration.ofSeconds(30)), Clock.systemUTC());
    }

    private static Signer skewed(long minutes) {
        return new Signer(SignedCalls.sharedKeys(), Clock.offset(Clock.systemUTC(), Duration.ofMinutes(minutes)));
    }

    private static Runnable expect401(java.util.function.Supplier<HttpResponse<String>> request) {
        return () -> {
            HttpResponse<String> response = request.get();
            assertThat(response.statusCode()).as(response.body()).isEqualTo(401);
        };
    }

    /** Runs every attack; each must be refused with 401 and leave every barrier row of both services as it was. */
    private void assertRefusedAndUnchanged(Map<String, Runnable> attacks, RunningService target) {
        List<Map<String, Object>> barrierA = a.rows().wholeBarrierTable();
        List<Map<String, Object>> barrierB = b.rows().wholeBarrierTable();
        String holdState = b.rows().state(booking);
        SoftAssertions softly = new SoftAssertions();
        attacks.forEach((name, attack) -> {
            softly.check(() -> {
                try {
                    attack.run();
                } catch (AssertionError e) {
                    throw new AssertionError(name + " to " + target.name() + ": " + e.getMessage(), e);
                }
            });
            softly.assertThat(b.rows().wholeBarrierTable()).as("b's barrier after " + name).isEqualTo(barrierB);
            softly.assertThat(a.rows().wholeBarrierTable()).as("a's barrier after " + name).isEqualTo(barrierA);
        });
        softly.assertThat(b.rows().state(booking)).as("b's hold").isEqualTo(holdState);
        softly.assertAll();
    }
}

package dev.tcc.spring.http.services;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tcc.api.operations.TransactionState;
import dev.tcc.runtime.http.Signer;
import dev.tcc.runtime.testing.TestDatabases;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.web.client.HttpServerErrorException;
import org.springframework.web.client.ResourceAccessException;

/**
 * The cross-service scenarios on three H2 databases: those of the abstract class, and nesting, duplicate
 * deliveries, a participant down during confirm, and a lost answer.
 */
class H2AcrossServicesTests extends AbstractAcrossServicesTests {

    @Override
    TestDatabases.Kind kind() {
        return TestDatabases.Kind.H2;
    }

    @Test
    void nestedCallsConfirmTheWholeTreeABC() {
        String booking = newBooking();

        String xid = a.booking().book(booking, List.of(b.holds(booking, "next=" + RunningService.encode(c.holds(booking)))));

        awaitStates(booking, "CONFIRMED", a, b, c);
        awaitTransaction(xid, TransactionState.CONFIRMED);
        assertThat(a.runtime().find(xid).orElseThrow().branches()).as("C's branch reached A through B's answer").hasSize(3);
        assertThat(c.rows().barrierStates(xid)).containsExactly("CONFIRMED");
        // branch ids stay unique across services and nesting
        List<Object> ids = new java.util.ArrayList<>();
        for (RunningService service : List.of(a, b, c)) {
            service.rows().barrier(xid).forEach(row -> ids.add(row.get("branch_id")));
        }
        assertThat(ids).doesNotHaveDuplicates().hasSize(3);
    }

    @Test
    void whenTheInnermostServiceFailsEveryBranchOfTheTreeIsCancelled() {
        String booking = newBooking();
        // C's hold commits, then C's second try fails: C answers 500 listing its committed branch, B's try fails on it
        String nested = b.holds(booking, "next=" + RunningService.encode(c.holds(booking, "fail=after")));

        assertFailsWith(HttpServerErrorException.class, () -> a.booking().book(booking, List.of(nested)));
        String xid = a.booking().lastXid();

        awaitStates(booking, "CANCELLED", a, c);
        awaitTransaction(xid, TransactionState.CANCELLED);
        assertThat(b.rows().state(booking)).as("b's try failed with C's answer and rolled back").isNull();
        assertThat(c.rows().barrierStates(xid)).as("c's committed hold, cancelled through the branch B reported up")
                .contains("CANCELLED").doesNotContain("TRIED", "CONFIRMED");
        assertThat(c.rows().confirms(booking)).isZero();
    }

    @Test
    void aParticipantDownDuringConfirmIsConfirmedByRecoveryOnceItIsBack() {
        String booking = newBooking();
        b.outage().down.set(true);

        String xid = a.booking().book(booking, List.of(b.holds(booking), c.holds(booking)));

        awaitStates(booking, "CONFIRMED", a, c);
        a.runtime().recoverOnce();
        assertThat(stateOf(xid)).as("decided, waiting in phase two for b").contains(TransactionState.CONFIRMING);
        assertThat(b.rows().state(booking)).isEqualTo("PENDING");

        b.outage().down.set(false);
        recoverUntil(xid, TransactionState.CONFIRMED);
        assertThat(b.rows().state(booking)).isEqualTo("CONFIRMED");
        assertThat(b.rows().confirms(booking)).isOne();
    }

    @Test
    void duplicateConfirmDeliveriesRunTheBodyOnceAndAnswerAlreadyDone() {
        String booking = newBooking();
        b.outage().down.set(true);
        String xid = a.booking().book(booking, List.of(b.holds(booking)));
        awaitStates(booking, "CONFIRMED", a);
        b.outage().down.set(false);
        Map<String, Object> branch = b.rows().barrier(xid).get(0);
        Object branchId = branch.get("branch_id");
        String action = String.valueOf(branch.get("action"));
        String path = SignedCalls.phaseTwoPath(xid, branchId, "confirm", action);
        Signer signer = SignedCalls.signer();

        HttpResponse<String> first = SignedCalls.phaseTwo(b, path, SignedCalls.signPhaseTwo(signer, path, xid, branchId, "confirm"));
        HttpResponse<String> second = SignedCalls.phaseTwo(b, path, SignedCalls.signPhaseTwo(signer, path, xid, branchId, "confirm"));

        assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
        assertThat(second.statusCode()).as(second.body()).isEqualTo(208);
        assertThat(first.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type).startsWith("application/json"));
        assertThat(second.body()).contains("\"state\":\"CONFIRMED\"");
        recoverUntil(xid, TransactionState.CONFIRMED);
        assertThat(b.rows().confirms(booking)).as("confirm body runs").isOne();
        assertThat(b.rows().state(booking)).isEqualTo("CONFIRMED");
    }

    @Test
    void aLostAnswerIsCancelledThoughTheParticipantTried() throws Exception {
        String booking = newBooking();
        b.gate().close();

        assertFailsWith(ResourceAccessException.class,
                () -> a.booking().bookImpatiently(booking, List.of(b.holds(booking, "block=true"))));
        String xid = a.booking().lastXid();
        assertThat(b.gate().awaitEntered(Duration.ofSeconds(5))).as("b tried before its answer was lost").isTrue();

        awaitTransaction(xid, TransactionState.CANCELLED);
        awaitStates(booking, "CANCELLED", a, b);
        b.gate().open();
        assertThat(b.rows().barrierStates(xid)).containsExactly("CANCELLED");
        assertThat(b.rows().confirms(booking)).isZero();
    }
}

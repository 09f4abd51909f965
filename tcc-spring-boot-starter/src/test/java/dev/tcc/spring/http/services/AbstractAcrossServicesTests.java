package dev.tcc.spring.http.services;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tcc.api.operations.TransactionRecord;
import dev.tcc.api.operations.TransactionState;
import dev.tcc.runtime.testing.TestDatabases;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.web.client.HttpServerErrorException;
import dev.tcc.runtime.http.Signer;
import java.net.http.HttpResponse;
import java.util.Map;
import org.springframework.web.client.ResourceAccessException;

/**
 * Three Spring Boot applications in one JVM, each on a random port with its own database and TCC tables,
 * sharing one signing key: A begins transactions with a local hold and calls B and C over HTTP through a client
 * built from Boot's {@code RestClient.Builder}; B and C hold rows in their own databases from a REST controller.
 * Subclasses choose the database product; the scenarios here run on each.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class AbstractAcrossServicesTests {

    static final Duration WAIT = Duration.ofSeconds(20);

    RunningService a;
    RunningService b;
    RunningService c;

    abstract TestDatabases.Kind kind();

    /** Properties of A beyond the common ones. */
    String[] initiatorProperties() {
        return new String[0];
    }

    @BeforeAll
    void startServices() {
        if (kind() == TestDatabases.Kind.POSTGRESQL) {
            TestDatabases.requirePostgres();
        }
        b = RunningService.start("b", kind());
        c = RunningService.start("c", kind());
        a = RunningService.start("a", kind(), initiatorProperties());
    }

    @AfterAll
    void stopServices() {
        for (RunningService service : new RunningService[] {a, b, c}) {
            if (service != null) {
                service.close();
            }
        }
    }

    @AfterEach
    void servicesAreUp() {
        for (RunningService service : new RunningService[] {a, b, c}) {
            if (service != null) {
                service.outage().down.set(false);
                service.gate().open();
            }
        }
    }

    @Test
    void theHappyPathConfirmsTheLocalAndBothRemoteBranches() {
        String booking = newBooking();

        String xid = a.booking().book(booking, List.of(b.holds(booking), c.holds(booking)));

        awaitStates(booking, "CONFIRMED", a, b, c);
        awaitTransaction(xid, TransactionState.CONFIRMED);
        assertThat(b.rows().barrierStates(xid)).containsExactly("CONFIRMED");
        assertThat(c.rows().barrierStates(xid)).containsExactly("CONFIRMED");
        for (RunningService service : List.of(a, b, c)) {
            assertThat(service.rows().confirms(booking)).as(service.name() + " confirm runs").isOne();
        }
        // the remote branches are the initiator's, registered from the answers' headers
        assertThat(a.runtime().find(xid).orElseThrow().branches()).hasSize(3);
    }

    @Test
    void aRemoteTryThatFailsCancelsTheLocalBranchAndTheOtherRemoteBranch() {
        String booking = newBooking();

        assertFailsWith(HttpServerErrorException.class,
                () -> a.booking().book(booking, List.of(c.holds(booking), b.holds(booking, "fail=try"))));
        String xid = a.booking().lastXid();

        awaitStates(booking, "CANCELLED", a, c);
        awaitTransaction(xid, TransactionState.CANCELLED);
        assertThat(b.rows().state(booking)).as("b's failed try rolled back").isNull();
        assertThat(b.rows().barrierStates(xid)).doesNotContain("TRIED", "CONFIRMED");
        assertThat(c.rows().barrierStates(xid)).containsExactly("CANCELLED");
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

    /** The call fails with {@code type}, itself or as a cause (the runtime may report it inside its own exception). */
    static void assertFailsWith(Class<? extends Throwable> type, Runnable call) {
        assertThatThrownBy(call::run).satisfies(thrown -> {
            for (Throwable t = thrown; t != null; t = t.getCause()) {
                if (type.isInstance(t)) {
                    return;
                }
            }
            throw new AssertionError("expected " + type.getSimpleName() + " in the causes of " + thrown, thrown);
        });
    }

    String newBooking() {
        return "bk-" + UUID.randomUUID().toString().substring(0, 8);
    }

    static void awaitStates(String booking, String state, RunningService... services) {
        for (RunningService service : services) {
            Eventually.until(service.name() + "'s hold of " + booking + " is " + state, WAIT,
                    () -> state.equals(service.rows().state(booking)), () -> service.rows().state(booking));
        }
    }

    void awaitTransaction(String xid, TransactionState state) {
        Eventually.until("transaction " + xid + " is " + state, WAIT,
                () -> a.runtime().find(xid).map(TransactionRecord::state).filter(state::equals).isPresent(),
                () -> a.runtime().find(xid).map(TransactionRecord::state));
    }

    /** Drives A's recovery, as its background passes would, until the transaction reaches {@code state}. */
    void recoverUntil(String xid, TransactionState state) {
        Eventually.until("recovery takes " + xid + " to " + state, WAIT, () -> {
            a.runtime().recoverOnce();
            return a.runtime().find(xid).map(TransactionRecord::state).filter(state::equals).isPresent();
        }, () -> a.runtime().find(xid).map(TransactionRecord::state));
    }

    Optional<TransactionState> stateOf(String xid) {
        return a.runtime().find(xid).map(TransactionRecord::state);
    }
}

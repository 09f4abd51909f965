package dev.tcc.runtime.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import dev.tcc.api.TransactionMarkedCancelOnlyException;
import dev.tcc.api.TryRefusedException;
import dev.tcc.runtime.TccRuntime;
import dev.tcc.runtime.action.LocalParticipant;
import dev.tcc.runtime.model.TccSettings;
import dev.tcc.runtime.model.TransactionOptions;
import dev.tcc.runtime.plain.TccAction;
import dev.tcc.runtime.testing.MutableClock;
import dev.tcc.runtime.testing.TestDatabases;
import dev.tcc.spi.BranchParticipant;
import dev.tcc.spi.BranchReference;
import dev.tcc.spi.DecisionSource;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The caller's and the participant's sides of the protocol between three runtimes, each with its own log and
 * participant database, without a web server: a call hands its headers to the other service on another thread
 * (as a server would), and phase two reaches a remote branch through a participant registered under its URL.
 * The HTTP transport itself is tested by the starter's multi-application tests.
 */
class CrossServiceCallTests {

    private static final Instant START = Instant.parse("2026-12-03T10:00:00Z");
    private static final SigningKeys KEYS = new SigningKeys("k1", Map.of("k1", "a-shared-secret-for-these-tests"),
            Duration.ofSeconds(30));

    private final MutableClock clock = new MutableClock(START);
    private final ExecutorService servers = Executors.newCachedThreadPool();
    private final List<AutoCloseable> closing = new ArrayList<>();
    private final Map<String, Service> byUrl = new HashMap<>();
    private Service a;
    private Service b;
    private Service c;

    /** One service: its log, its database with a hold table, one action, its runtime. */
    private final class Service {
        final String name;
        final String url;
        final HikariDataSource db;
        final HikariDataSource log;
        final TccRuntime runtime;
        final TccAction<String, String> hold;
        volatile Callable<Object> nested = () -> null;
        volatile boolean failTry;

        Service(String name) {
            this.name = name;
            this.url = "http://" + name + ".test";
            this.log = TestDatabases.h2(name + "-log");
            this.db = TestDatabases.h2(name + "-db");
            TestDatabases.execute(db, "CREATE TABLE holds (id VARCHAR(64), state VARCHAR(16))");
            HttpSettings http = HttpSettings.defaults().withCoordinatorUrl(() -> url + "/tcc/coordinator").withKeys(KEYS);
            this.runtime = TccRuntime.builder().transactionLog(log).initializeSchema(true).clock(clock).http(http)
                    .remoteCoordinators(coordinatorUrl -> serviceAt(coordinatorUrl).runtime.decisionSource())
                    .settings(TccSettings.builder().asynchronousPhaseTwo(false).build()).build();
            this.hold = runtime.action(name + "-hold", String.class, String.class)
                    .database(name, db)
                    .hold(Duration.ofSeconds(30))
                    .onTry((c, arg, ctx) -> {
                        if (failTry) {
                            throw new IllegalStateException(name + " sold out");
                        }
                        write(c, ctx.xid() + ":" + ctx.branchId(), "PENDING");
                        nested.call();
                        return name + "-" + ctx.branchId();
                    })
                    .onConfirm((c, arg, ctx) -> write(c, ctx.xid() + ":" + ctx.branchId(), "CONFIRMED"))
                    .onCancel((c, arg, ctx) -> write(c, ctx.xid() + ":" + ctx.branchId(), "RELEASED"))
                    .register();
            closing.add(runtime);
            closing.add(db);
            closing.add(log);
            byUrl.put(url, this);
        }

        long holds(String state) {
            return TestDatabases.queryLong(db, "SELECT COUNT(*) FROM holds WHERE state = '" + state + "'");
        }

        long barrierRows(String state) {
            return TestDatabases.queryLong(db, "SELECT COUNT(*) FROM tcc_barrier WHERE state = '" + state + "'");
        }
    }

    private static void write(java.sql.Connection c, String id, String state) throws Exception {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO holds VALUES (?, ?)")) {
            ps.setString(1, id);
            ps.setString(2, state);
            ps.executeUpdate();
        }
    }

    private Service serviceAt(String url) {
        return byUrl.entrySet().stream().filter(e -> url.startsWith(e.getKey())).map(Map.Entry::getValue).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no service at " + url));
    }

    /** Phase two to a remote branch: the participant at the branch's URL confirms or cancels through its barrier. */
    private BranchParticipant remote(Service target) {
        String id = target.url + "/tcc/participant";
        return new BranchParticipant() {
            @Override
            public String id() {
                return id;
            }

            @Override
            public void confirm(BranchReference branch) throws Exception {
                target.runtime.participant(branch.action()).confirm(branch);
            }

            @Override
            public void cancel(BranchReference branch) throws Exception {
                if (branch.action().startsWith("tcc:call ")) {
                    // a range cancel: every branch the participant recorded in the range
                    LocalParticipant local = target.runtime.participant(target.name + "-hold");
                    String[] range = branch.action().substring(9).split("-");
                    for (int id = Integer.parseInt(range[0]); id <= Integer.parseInt(range[1]) && id < Integer.parseInt(range[0]) + 10; id++) {
                        if (TestDatabases.queryLong(target.db, "SELECT COUNT(*) FROM tcc_barrier WHERE xid = '" + branch.xid()
                                + "' AND branch_id = " + id + " AND state = 'TRIED'") == 1) {
                            local.cancel(new BranchReference(branch.xid(), id, local.id(), local.id(), branch.holdDeadline(), 1));
                        }
                    }
                    return;
                }
                target.runtime.participant(branch.action()).cancel(branch);
            }
        };
    }

    @BeforeEach
    void setUp() {
        a = new Service("a");
        b = new Service("b");
        c = new Service("c");
        for (Service caller : List.of(a, b)) {
            caller.runtime.register(remote(b));
            caller.runtime.register(remote(c));
        }
    }

    @AfterEach
    void tearDown() throws Exception {
        servers.shutdownNow();
        for (int i = closing.size() - 1; i >= 0; i--) {
            closing.get(i).close();
        }
    }

    /**
     * Calls {@code target} from the transaction bound to this thread, as a client interceptor and a server filter
     * would: the context travels in headers, the handler runs on a server thread and tries its action.
     */
    private String call(Service from, Service target) throws Exception {
        byte[] body = "{\"seats\":2}".getBytes(StandardCharsets.UTF_8);
        OutboundCall outbound = from.runtime.outboundCall("POST", URI.create(target.url + "/holds?x=1"), body);
        assertThat(outbound).isNotNull();
        Map<String, String> sent = outbound.requestHeaders();
        Future<Answer> served = servers.submit(() -> serve(target, "/holds?x=1", sent, body));
        Answer answer = served.get(10, TimeUnit.SECONDS);
        outbound.answered(answer.status, name -> answer.headers.getOrDefault(name, List.of()));
        if (answer.status != 200) {
            throw new IllegalStateException(target.name + " answered " + answer.status);
        }
        return answer.body;
    }

    private record Answer(int status, Map<String, List<String>> headers, String body) {
    }

    private static Answer serve(Service target, String path, Map<String, String> headers, byte[] body) {
        String host = URI.create(target.url).getHost(); // what a client sends as the Host header
        Function<String, String> header = name -> name.equals("Host") ? host : headers.get(name);
        try (InboundCall inbound = target.runtime.inboundCall("POST", path, header, body)) {
            assertThat(inbound).isNotNull();
            try {
                String result = target.hold.tryAction("req");
                return new Answer(200, inbound.responseHeaders(), result);
            } catch (Exception failure) {
                return new Answer(500, inbound.responseHeaders(), failure.toString());
            }
        }
    }

    @Test
    void aRemoteTryBecomesABranchOfTheCallersTransactionAndIsConfirmedWithIt() throws Exception {
        String result = a.runtime.execute(TransactionOptions.named("book"), () -> {
            a.hold.tryAction("local");
            return call(a, b);
        });

        assertThat(result).startsWith("b-");
        assertThat(a.holds("CONFIRMED")).isEqualTo(1);
        assertThat(b.holds("CONFIRMED")).isEqualTo(1);
        assertThat(b.barrierRows("CONFIRMED")).isEqualTo(1);
        assertThat(TestDatabases.queryLong(b.db, "SELECT COUNT(*) FROM tcc_barrier WHERE coordinator = 'http://a.test/tcc/coordinator'"))
                .isEqualTo(1);
        // the branch in A's log names B's endpoint and an id from the top block, the first call's
        assertThat(TestDatabases.queryLong(a.log, "SELECT branch_id FROM tcc_branch WHERE participant = 'http://b.test/tcc/participant'"))
                .isEqualTo(Integer.MAX_VALUE - (Integer.MAX_VALUE / 256) + 2);
    }

    @Test
    void aRemoteTryThatFailsCancelsTheLocalBranchEvenWhenTheCallersCodeSwallowsTheError() {
        b.failTry = true;

        assertThatThrownBy(() -> a.runtime.execute(TransactionOptions.named("book"), () -> {
            a.hold.tryAction("local");
            try {
                call(a, b);
            } catch (IllegalStateException swallowed) {
                // a mistake users make: the transaction must still not confirm
            }
            return null;
        })).isInstanceOf(TransactionMarkedCancelOnlyException.class).hasMessageContaining("cancel-only");

        assertThat(a.holds("RELEASED")).isEqualTo(1);
        assertThat(a.holds("CONFIRMED")).isZero();
        assertThat(b.barrierRows("TRIED") + b.barrierRows("CONFIRMED")).isZero();
    }

    @Test
    void nestedCallsRegisterEveryBranchWithTheInitiatorAndConfirmAllThree() throws Exception {
        b.nested = () -> call(b, c);

        a.runtime.execute(TransactionOptions.named("book"), () -> {
            a.hold.tryAction("local");
            return call(a, b);
        });

        assertThat(List.of(a.holds("CONFIRMED"), b.holds("CONFIRMED"), c.holds("CONFIRMED"))).containsExactly(1L, 1L, 1L);
        assertThat(TestDatabases.queryLong(a.log, "SELECT COUNT(DISTINCT branch_id) FROM tcc_branch")).isEqualTo(3);
        assertThat(TestDatabases.queryLong(a.log, "SELECT COUNT(*) FROM tcc_branch WHERE participant = 'http://c.test/tcc/participant'"))
                .isEqualTo(1);
    }

    @Test
    void aFailureThreeServicesDownCancelsTheBranchesOfAllOfThem() {
        b.nested = () -> call(b, c);
        c.failTry = true;

        assertThatThrownBy(() -> a.runtime.execute(TransactionOptions.named("book"), () -> {
            a.hold.tryAction("local");
            return call(a, b);
        })).isInstanceOf(IllegalStateException.class);

        assertThat(a.holds("RELEASED")).isEqualTo(1);
        assertThat(b.holds("PENDING") + c.holds("PENDING")).isZero(); // their tries rolled back with the failure
        assertThat(b.barrierRows("TRIED") + c.barrierRows("TRIED")).isZero();
    }

    @Test
    void aLostAnswerCancelsWhatTheParticipantTriedThroughARangeCancel() {
        assertThatThrownBy(() -> a.runtime.execute(TransactionOptions.named("book"), () -> {
            a.hold.tryAction("local");
            OutboundCall outbound = a.runtime.outboundCall("POST", URI.create(b.url + "/holds"), new byte[0]);
            Map<String, String> sent = outbound.requestHeaders();
            servers.submit(() -> serve(b, "/holds", sent, new byte[0])).get(10, TimeUnit.SECONDS); // tried there...
            outbound.lost(new java.net.http.HttpTimeoutException("request timed out")); // ...but the answer never came
            return null; // user code swallowed it
        })).isInstanceOf(TransactionMarkedCancelOnlyException.class);

        assertThat(b.holds("RELEASED")).isEqualTo(1);
        assertThat(b.barrierRows("CANCELLED")).isEqualTo(1);
        assertThat(a.holds("RELEASED")).isEqualTo(1);
    }

    @Test
    void aParticipantWhoseCallerDiedAsksTheCoordinatorWhichFencesAndAnswersCancel() throws Exception {
        // A's transaction tries at B, then A "dies": no decision is ever written by it
        Future<?> initiator = servers.submit(() -> a.runtime.execute(TransactionOptions.named("book"), () -> {
            call(a, b);
            throw new Error("killed before the decision"); // an Error is not caught by the coordinator's completion
        }));
        assertThatThrownBy(() -> initiator.get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(Error.class);
        long triedBefore = b.barrierRows("TRIED") + b.barrierRows("CANCELLED");
        assertThat(triedBefore).isEqualTo(1);

        clock.advance(Duration.ofMinutes(5)); // past the hold and the grace
        b.runtime.holdExpiry().runOnce();

        assertThat(b.barrierRows("CANCELLED")).isEqualTo(1);
        assertThat(b.holds("RELEASED")).isEqualTo(1);
    }

    @Test
    void anAnswerWhoseRegistrationWasAlteredCountsAsLostAndTheTransactionCancels() {
        assertThatThrownBy(() -> a.runtime.execute(TransactionOptions.named("book"), () -> {
            a.hold.tryAction("local");
            byte[] body = new byte[0];
            OutboundCall outbound = a.runtime.outboundCall("POST", URI.create(b.url + "/holds"), body);
            Map<String, String> sent = outbound.requestHeaders();
            Answer answer = servers.submit(() -> serve(b, "/holds", sent, body)).get(10, TimeUnit.SECONDS);
            Map<String, List<String>> altered = new HashMap<>(answer.headers);
            altered.remove(TccHeaders.CANCEL_ONLY);
            altered.put(TccHeaders.BRANCH, answer.headers.get(TccHeaders.BRANCH).stream()
                    .map(v -> v.replace("participant=", "participant=http%3A%2F%2Fevil.test")).toList());
            outbound.answered(200, name -> altered.getOrDefault(name, List.of()));
            return null;
        })).isInstanceOf(TransactionMarkedCancelOnlyException.class).hasMessageContaining("lost");

        assertThat(b.holds("RELEASED")).isEqualTo(1); // the range cancel reached the real participant
        assertThat(a.holds("RELEASED")).isEqualTo(1);
    }

    @Test
    void anUnsignedContextIsRefusedBeforeAnythingRuns() {
        Map<String, String> headers = Map.of(TccHeaders.XID, "x1", TccHeaders.BRANCH_RANGE, "2-9",
                TccHeaders.TIMEOUT, START.plusSeconds(60).toString(), TccHeaders.COORDINATOR, "http://a.test/tcc/coordinator");
        assertThatThrownBy(() -> b.runtime.inboundCall("POST", "/holds", headers::get, new byte[0]))
                .isInstanceOf(AuthenticationFailedException.class);
        assertThat(b.barrierRows("TRIED")).isZero();
    }

    @Test
    void aCallAfterTheDecisionIsRefusedAndNothingIsSent() throws Exception {
        a.runtime.execute(TransactionOptions.named("book"), () -> a.hold.tryAction("local"));
        assertThat(a.runtime.outboundCall("POST", URI.create(b.url + "/holds"), new byte[0])).isNull();
    }

    @Test
    void malformedContextHeadersAreRefusedBeforeAnythingRuns() {
        Map<String, String> headers = Map.of(TccHeaders.XID, "x1", TccHeaders.BRANCH_RANGE, "5-2",
                TccHeaders.TIMEOUT, START.plusSeconds(60).toString(), TccHeaders.COORDINATOR, "http://a.test/tcc/coordinator");
        assertThatThrownBy(() -> b.runtime.inboundCall("POST", "/holds", headers::get, new byte[0]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(TccHeaders.BRANCH_RANGE);
        assertThat(b.runtime.inboundCall("POST", "/holds", name -> null, new byte[0])).isNull();
    }

    @Test
    void aCallOutsideAnyTransactionIsAnOrdinaryCall() {
        assertThat(a.runtime.outboundCall("GET", URI.create(b.url + "/holds"), new byte[0])).isNull();
        assertThat(TryRefusedException.class).isNotNull();
    }
}

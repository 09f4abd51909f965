package dev.tcc.spring.http.services;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import com.sun.net.httpserver.HttpServer;
import dev.tcc.api.TccContextHolder;
import dev.tcc.api.TccTransactional;
import dev.tcc.api.operations.TransactionRecord;
import dev.tcc.api.operations.TransactionState;
import dev.tcc.runtime.http.TccHeaders;
import dev.tcc.runtime.testing.TestDatabases;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestClientException;
import org.springframework.web.server.ResponseStatusException;

/**
 * Review of the Spring Boot side of TCC across HTTP: what ordinary Spring code makes the starter do wrong. Each test
 * fails while its finding stands. The services are {@link ServiceApplication} plus {@link ReviewExtras} (a controller
 * that maps errors the usual Spring ways, and an initiator that handles a failed call).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReviewStarterFindingsTests {

    private static final Duration WAIT = Duration.ofSeconds(10);

    private RunningService a;
    private RunningService b;
    private HttpServer outsideTcc;
    private final Map<String, String> outsideTccSaw = new ConcurrentHashMap<>();

    @BeforeAll
    void start() throws Exception {
        b = start("b", TestDatabases.Kind.H2);
        a = start("a", TestDatabases.Kind.H2);
        // a service without TCC (a price list, a third-party API): 503 on /busy, 200 on /prices
        outsideTcc = HttpServer.create(new InetSocketAddress("localhost", 0), 0);
        outsideTcc.createContext("/", exchange -> {
            exchange.getRequestHeaders().forEach((name, values) -> outsideTccSaw.put(name.toLowerCase(Locale.ROOT), values.get(0)));
            exchange.getRequestBody().readAllBytes();
            int status = exchange.getRequestURI().getPath().equals("/busy") ? 503 : 200;
            byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        outsideTcc.start();
    }

    @AfterAll
    void stop() {
        if (outsideTcc != null) {
            outsideTcc.stop(0);
        }
        for (RunningService service : new RunningService[] {a, b}) {
            if (service != null) {
                service.close();
            }
        }
    }

    // ------------------------------------------------------------------ finding: sendError drops the registration

    /**
     * A handler whose try committed and that then fails the usual Spring way ({@code ResponseStatusException}, an
     * {@code @ResponseStatus} exception, a 406 while writing the body: all end in {@code response.sendError}) loses the
     * registration headers: Tomcat ignores headers added after sendError. The caller reads a 4xx without them as
     * "nothing was tried there", so the committed hold is never registered.
     */
    @Test
    void aResponseStatusExceptionAfterATryCommittedStillRegistersTheBranch() {
        String booking = newBooking();

        HttpResponse<String> answer = joined(b, "/review/hold-then-conflict?booking=" + booking, new byte[0]);

        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(409);
        assertThat(b.rows().state(booking)).as("the hold committed in b").isEqualTo("PENDING");
        assertThat(answer.headers().allValues(TccHeaders.BRANCH)).as("the committed hold, registered with the caller").hasSize(1);
    }

    /**
     * The participant's try failed and the controller maps it to a 409 with {@code ResponseStatusException}. The
     * Tcc-Cancel-Only header is dropped, so a caller that handles the 409 (tries another flight) confirms: unlike
     * a local try that throws, and unlike docs/across-services.md ("the service answers 4xx/5xx: the transaction is
     * cancelled").
     */
    @Test
    void aFailedRemoteTryMappedToA409CancelsTheCallersTransactionEvenWhenTheCallerHandlesIt() {
        String booking = newBooking();

        // b's try failed: the transaction must not confirm, although the caller handled the 409
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> a.context().getBean(ReviewBooking.class)
                        .bookHandlingFailure(booking, "POST", b.url("/review/try-fails-as-conflict?booking=" + booking)))
                .isInstanceOf(dev.tcc.api.TransactionMarkedCancelOnlyException.class).hasMessageContaining("cancel-only");
    }

    // ------------------------------------------------------------------ finding: body read before any check

    /**
     * Any request with a {@code Tcc-Xid} header, however malformed and unsigned, makes the filter read its whole body
     * into memory before the context or the signature is looked at: a stranger can hold request threads (a slow body)
     * or exhaust the heap (a large one). The refusal should come before the body is read.
     */
    @Test
    void anUnsignedContextIsRefusedBeforeItsBodyIsRead() throws Exception {
        try (Socket socket = new Socket("localhost", b.port())) {
            socket.setSoTimeout(5_000);
            OutputStream out = socket.getOutputStream();
            out.write(("POST /echo HTTP/1.1\r\nHost: localhost:" + b.port() + "\r\nTcc-Xid: x\r\nContent-Type: application/json\r\n"
                    + "Content-Length: 1073741824\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(new byte[1024]);
            out.flush();
            InputStream in = socket.getInputStream();
            String statusLine;
            try {
                statusLine = new String(in.readNBytes(12), StandardCharsets.US_ASCII);
            } catch (SocketTimeoutException e) {
                throw new AssertionError("No answer within 5 s to an unsigned Tcc-Xid request announcing a 1 GiB body: the"
                        + " filter is reading the body before it checks the context and signature", e);
            }
            assertThat(statusLine).matches("HTTP/1\\.1 (40[01]|413)");
        }
    }

    // ------------------------------------------------------------------ finding: advertised endpoint not where it is served

    /**
     * With {@code spring.mvc.servlet.path=/api} the participant endpoint is served at /api/tcc/participant, but the
     * answers advertise /tcc/participant (context path + participant path only): every confirm gets a 404 from the
     * container and the hold stays PENDING; the coordinator URL has the same hole.
     */
    @Test
    void aParticipantWhoseDispatcherServletHasAPathIsConfirmed() {
        try (RunningService api = start("api", TestDatabases.Kind.H2, "spring.mvc.servlet.path=/api")) {
            String booking = newBooking();

            String xid = a.booking().book(booking, List.of(api.url("/api/holds?booking=" + RunningService.encode(booking))));

            awaitHold(api, booking, "CONFIRMED", xid);
        }
    }

    /**
     * {@code tcc.http.endpoints.enabled=false} leaves the filter joining callers' transactions: the service takes holds
     * and advertises a participant endpoint that does not exist, so nobody can ever confirm or cancel them. Either the
     * start-up should fail (as for a missing key) or the joined call be refused.
     */
    @Test
    void aParticipantWithoutEndpointsNeverLeavesAHoldNobodyCanFinish() {
        try (RunningService closed = start("closed", TestDatabases.Kind.H2, "tcc.http.endpoints.enabled=false")) {
            String booking = newBooking();
            String xid = null;
            try {
                xid = a.booking().book(booking, List.of(closed.holds(booking)));
            } catch (RuntimeException refused) {
                // refusing the joined call is a fine answer too
            }
            if (closed.rows().state(booking) != null) {
                awaitHold(closed, booking, "CONFIRMED", xid);
            }
        }
    }

    // ------------------------------------------------------------------ finding: every call is a TCC call

    /**
     * Boot's builder gives every client the interceptor, so a read from a service outside TCC (prices, a third-party API)
     * made inside the transaction is a TCC call too: its 503, handled by the code with a fallback, counts as a lost
     * answer and cancels the booking. (That service also received the xid, the coordinator's internal URL and a
     * signature.)
     */
    @Test
    void aHandledFailureOfACallToAServiceOutsideTccDoesNotCancelTheBooking() {
        String booking = newBooking();

        ReviewBooking bookings = a.context().getBean(ReviewBooking.class);

        assertThatCode(() -> bookings.bookHandlingFailure(booking, "GET", outside("/busy")))
                .as("the only failure was handled by the code").doesNotThrowAnyException();
        assertThat(a.rows().state(booking)).isEqualTo("CONFIRMED");
    }

    /** Each such read takes one of the call blocks (docs: 255): a transaction that reads 300 prices is refused. */
    @Test
    void readsFromAServiceOutsideTccDoNotUseUpTheBranchIdSpace() {
        String booking = newBooking();

        String xid = a.context().getBean(ReviewBooking.class).bookAfterReads(booking, outside("/prices"), 300);

        awaitTransactionEnds(xid);
        assertThat(stateOf(xid)).contains(TransactionState.CONFIRMED);
    }


    // ------------------------------------------------------------------ probes

    /**
     * A retrying client or gateway delivers the same call twice; the caller may see only the second answer. A try body
     * that inserts on a natural key (a booking id) runs again before the barrier is consulted and fails on the key: the
     * redelivery answers 500 with Tcc-Cancel-Only and without the branch the first delivery committed. (The body still
     * runs again, as every try without external effects does; its failure is answered from the barrier row read after
     * the rollback.)
     */
    @Test
    void aDuplicateDeliveryOfTheSameCallRegistersTheSameBranch() {
        String booking = newBooking();
        String path = "/holds?booking=" + booking;
        Map<String, String> headers = new LinkedHashMap<>(SignedCalls.contextHeaders(SignedCalls.signer(), b.url(path),
                "x-" + UUID.randomUUID(), "1000-1999", SignedCalls.timeoutIn(30), "http://localhost:1/tcc/coordinator", new byte[0]));

        HttpResponse<String> first = SignedCalls.post(b.url(path), headers, new byte[0]);
        HttpResponse<String> second = SignedCalls.post(b.url(path), headers, new byte[0]);

        assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
        assertThat(second.statusCode()).as(second.body()).isEqualTo(200);
        assertThat(second.headers().allValues(TccHeaders.BRANCH)).as("the second answer registers the branch too")
                .isEqualTo(first.headers().allValues(TccHeaders.BRANCH)).hasSize(1);
        assertThat(second.headers().firstValue(TccHeaders.CANCEL_ONLY)).as("the caller's transaction may confirm").isEmpty();
        assertThat(second.body()).isEqualTo(first.body());
        assertThat(b.rows().state(booking)).as("the first delivery's hold, still held").isEqualTo("PENDING");
    }

    /**
     * A try whose body called another service (here A, as a third service) in the caller's transaction: the repeated
     * delivery's answer must register that service's branch too, or the caller confirms without it and its hold is
     * cancelled at expiry while this one confirms. The body runs again (its hold row removed, so its key lets it), and
     * the call it repeats is answered from the other service's barrier.
     */
    @Test
    void aRepeatedDeliveryOfATryThatCalledAnotherServiceRegistersThatServicesBranchToo() {
        String booking = newBooking();
        String next = a.url("/holds?booking=" + booking + "-next");
        String path = "/holds?booking=" + booking + "&next=" + RunningService.encode(next);
        Map<String, String> headers = new LinkedHashMap<>(SignedCalls.contextHeaders(SignedCalls.signer(), b.url(path),
                "x-" + UUID.randomUUID(), "1000-1999", SignedCalls.timeoutIn(30), "http://localhost:1/tcc/coordinator", new byte[0]));

        HttpResponse<String> first = SignedCalls.post(b.url(path), headers, new byte[0]);
        org.springframework.jdbc.core.simple.JdbcClient.create(b.context().getBean(javax.sql.DataSource.class))
                .sql("DELETE FROM hold_row WHERE booking = ?").param(booking).update();
        HttpResponse<String> second = SignedCalls.post(b.url(path), headers, new byte[0]);

        assertThat(first.headers().allValues(TccHeaders.BRANCH)).as("B's branch and the one B's try made in A").hasSize(2);
        assertThat(second.statusCode()).as(second.body()).isEqualTo(200);
        assertThat(second.headers().allValues(TccHeaders.BRANCH)).isEqualTo(first.headers().allValues(TccHeaders.BRANCH));
        assertThat(b.rows().state(booking)).as("the second run's hold row, rolled back with its try").isNull();
        assertThat(a.rows().state(booking + "-next")).isEqualTo("PENDING");
    }

    /**
     * As above, with a try whose body can run twice (no natural key): the second answer registers the branch, but with
     * a hold deadline computed from the redelivery, later than the one the barrier row stored from the first.
     */
    @Test
    void aDuplicateDeliveryAdvertisesTheStoredHoldDeadline() {
        String booking = newBooking();
        String path = "/review/stamp?booking=" + booking;
        Map<String, String> headers = new LinkedHashMap<>(SignedCalls.contextHeaders(SignedCalls.signer(), b.url(path),
                "x-" + UUID.randomUUID(), "1000-1999", SignedCalls.timeoutIn(30), "http://localhost:1/tcc/coordinator", new byte[0]));

        HttpResponse<String> first = SignedCalls.post(b.url(path), headers, new byte[0]);
        HttpResponse<String> second = SignedCalls.post(b.url(path), headers, new byte[0]);

        assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
        assertThat(second.statusCode()).as(second.body()).isEqualTo(200);
        assertThat(second.body()).isEqualTo(first.body());
        assertThat(second.headers().allValues(TccHeaders.BRANCH)).as("the second answer registers the branch too")
                .isEqualTo(first.headers().allValues(TccHeaders.BRANCH)).hasSize(1);
        assertThat(org.springframework.jdbc.core.simple.JdbcClient.create(b.context().getBean(javax.sql.DataSource.class))
                .sql("SELECT COUNT(*) FROM review_stamp WHERE booking = ?").param(booking).query(Long.class).single())
                .as("the body ran again but only the first delivery's stamp stays").isEqualTo(1);
    }

    /**
     * The joined transaction stays open after the filter closed the call: a try that runs later on a thread that
     * carries the context (TccContextTaskDecorator on an executor, a Callable handler) commits a hold no answer
     * reports. It should be refused, as a try after the initiator's decision is.
     */
    @Test
    void aTryAfterTheJoinedCallWasAnsweredIsRefused() {
        String booking = newBooking();
        HttpResponse<String> answer = joined(b, "/review/hold-later?booking=" + booking, new byte[0]);
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);

        Runnable later = b.context().getBean(ReviewController.class).later;
        try {
            later.run();
        } catch (RuntimeException refused) {
            // what should happen
        }

        assertThat(b.rows().state(booking)).as("a hold nobody reported to the caller").isNull();
    }

    /**
     * A multipart upload made inside a transaction (a document with the booking): its parts are parsed from the stream
     * the filter reads whole, so it is refused clearly (415, saying to send JSON) rather than reaching the handler
     * without its parts, and nothing is held.
     */
    @Test
    void aMultipartCallInsideATransactionIsRefusedSayingWhy() {
        String booking = newBooking();

        org.assertj.core.api.Assertions.assertThatThrownBy(() -> a.context().getBean(ReviewBooking.class)
                        .bookWithUpload(booking, b.url("/review/upload?booking=" + booking)))
                .hasStackTraceContaining("415").hasStackTraceContaining("send its data as JSON");
        assertThat(b.rows().state(booking)).isNull();
    }

    // ------------------------------------------------------------------ helpers

    private String outside(String path) {
        return "http://localhost:" + outsideTcc.getAddress().getPort() + path;
    }

    private void awaitTransactionEnds(String xid) {
        Eventually.until("transaction " + xid + " ends", WAIT, () -> stateOf(xid)
                .filter(s -> s == TransactionState.CONFIRMED || s == TransactionState.CANCELLED || s == TransactionState.HEURISTIC)
                .isPresent(), () -> stateOf(xid));
    }

    private Optional<TransactionState> stateOf(String xid) {
        return a.runtime().find(xid).map(TransactionRecord::state);
    }

    /** Drives A's recovery, as its background passes would, until {@code service}'s hold of {@code booking} is {@code state}. */
    private void awaitHold(RunningService service, String booking, String state, String xid) {
        Eventually.until(service.name() + "'s hold of " + booking + " is " + state, WAIT, () -> {
            a.runtime().recoverOnce();
            return state.equals(service.rows().state(booking));
        }, () -> service.rows().state(booking) + ", transaction " + (xid == null ? "?" : stateOf(xid)));
    }

    private static String newBooking() {
        return "bk-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** A call carrying a well-signed context of a fresh transaction (whose coordinator nobody asks here). */
    private static HttpResponse<String> joined(RunningService service, String pathAndQuery, byte[] body) {
        Map<String, String> headers = new LinkedHashMap<>(SignedCalls.contextHeaders(SignedCalls.signer(), service.url(pathAndQuery),
                "x-" + UUID.randomUUID(), "1000-1999", SignedCalls.timeoutIn(30), "http://localhost:1/tcc/coordinator", body));
        headers.put("Content-Type", "application/json");
        return SignedCalls.post(service.url(pathAndQuery), headers, body);
    }

    /** As {@link RunningService#start}, with {@link ReviewExtras}. */
    static RunningService start(String name, TestDatabases.Kind kind, String... properties) {
        List<String> args = new ArrayList<>(List.of("--service.name=" + name, "--spring.application.name=" + name,
                "--test.database=" + kind.name().toLowerCase(Locale.ROOT), "--server.port=0",
                "--spring.main.banner-mode=off", "--tcc.jdbc.initialize-schema=always", "--tcc.recovery.enabled=false",
                "--tcc.phase-two.asynchronous=false", "--tcc.retry.max-attempts=2", "--tcc.retry.initial-interval=20ms",
                "--tcc.recovery.initial-backoff=50ms", "--tcc.recovery.max-backoff=100ms",
                "--tcc.http.signing.key-id=" + RunningService.KEY_ID,
                "--tcc.http.signing.keys." + RunningService.KEY_ID + "=" + RunningService.SECRET,
                "--management.endpoints.access.default=none"));
        for (String property : properties) {
            args.add("--" + property);
        }
        ConfigurableApplicationContext context = new SpringApplicationBuilder(ServiceApplication.class, ReviewExtras.class)
                .run(args.toArray(String[]::new));
        int port = Integer.parseInt(context.getEnvironment().getRequiredProperty("local.server.port"));
        return new RunningService(name, context, port);
    }

    @Configuration(proxyBeanMethods = false)
    @Import({ReviewController.class, ReviewBooking.class, Stamps.class})
    static class ReviewExtras {
    }

    /** Errors mapped the usual Spring ways. */
    @RestController
    public static class ReviewController {
        private final ServiceApplication.Holds holds;
        private final Stamps stamps;

        ReviewController(ServiceApplication.Holds holds, Stamps stamps) {
            this.holds = holds;
            this.stamps = stamps;
        }

        /** A try for later, on a task that carries this call's context, as TccContextTaskDecorator makes one. */
        volatile Runnable later;

        @PostMapping("/review/hold-later")
        public Map<String, String> holdLater(@RequestParam String booking) {
            later = dev.tcc.runtime.coordinator.TransactionContextSnapshot.capture().wrap((Runnable) () -> holds.hold(booking, null, false));
            return Map.of("booking", booking);
        }

        @PostMapping("/review/stamp")
        public Map<String, String> stamp(@RequestParam String booking) {
            return Map.of("stamp", stamps.stamp(booking));
        }

        @PostMapping("/review/upload")
        public Map<String, String> upload(@RequestParam String booking,
                                          @RequestParam("document") org.springframework.web.multipart.MultipartFile document) {
            holds.hold(booking, null, false);
            return Map.of("booking", booking, "size", String.valueOf(document.getSize()));
        }

        @PostMapping("/review/hold-then-conflict")
        public Map<String, String> holdThenConflict(@RequestParam String booking) {
            holds.hold(booking, null, false);
            throw new ResponseStatusException(HttpStatus.CONFLICT, "the fare changed meanwhile");
        }

        @PostMapping("/review/try-fails-as-conflict")
        public Map<String, String> tryFailsAsConflict(@RequestParam String booking) {
            try {
                holds.hold(booking, null, true);
            } catch (IllegalStateException soldOut) {
                throw new ResponseStatusException(HttpStatus.CONFLICT, "sold out");
            }
            return Map.of("booking", booking);
        }
    }

    /** A try whose body can run twice: a row without a natural key. */
    public static class Stamps {
        private final org.springframework.jdbc.core.simple.JdbcClient jdbc;

        Stamps(javax.sql.DataSource dataSource) {
            this.jdbc = org.springframework.jdbc.core.simple.JdbcClient.create(dataSource);
            jdbc.sql("CREATE TABLE IF NOT EXISTS review_stamp (booking VARCHAR(64) NOT NULL, stamp VARCHAR(64) NOT NULL)").update();
        }

        @dev.tcc.api.Try
        public String stamp(String booking) {
            String stamp = UUID.randomUUID().toString();
            jdbc.sql("INSERT INTO review_stamp (booking, stamp) VALUES (?, ?)").params(booking, stamp).update();
            return stamp;
        }

        @dev.tcc.api.Confirm("stamp")
        public void confirm(String booking) {
        }

        @dev.tcc.api.Cancel("stamp")
        public void cancel(String booking) {
        }
    }

    /** An initiator that handles a failed call, as shop code does (a fallback, another offer). */
    public static class ReviewBooking {
        private final ServiceApplication.Holds holds;
        private final RestClient services;

        ReviewBooking(ServiceApplication.Holds holds, RestClient services) {
            this.holds = holds;
            this.services = services;
        }

        @TccTransactional(timeout = "30s")
        public String bookHandlingFailure(String booking, String method, String url) {
            String xid = TccContextHolder.currentXid().orElseThrow();
            holds.hold(booking, null, false);
            try {
                if (method.equals("GET")) {
                    services.get().uri(URI.create(url)).retrieve().toBodilessEntity();
                } else {
                    services.post().uri(URI.create(url)).retrieve().toBodilessEntity();
                }
            } catch (RestClientException handled) {
                // fall back: book without it
            }
            return xid;
        }

        @TccTransactional(timeout = "30s")
        public String bookWithUpload(String booking, String url) {
            String xid = TccContextHolder.currentXid().orElseThrow();
            org.springframework.util.LinkedMultiValueMap<String, Object> parts = new org.springframework.util.LinkedMultiValueMap<>();
            parts.add("document", new org.springframework.core.io.ByteArrayResource("passport scan".getBytes(StandardCharsets.UTF_8)) {
                @Override
                public String getFilename() {
                    return "passport.txt";
                }
            });
            services.post().uri(URI.create(url)).contentType(org.springframework.http.MediaType.MULTIPART_FORM_DATA).body(parts)
                    .retrieve().toBodilessEntity();
            return xid;
        }

        @TccTransactional(timeout = "30s")
        public String bookAfterReads(String booking, String url, int reads) {
            String xid = TccContextHolder.currentXid().orElseThrow();
            for (int i = 0; i < reads; i++) {
                services.get().uri(URI.create(url)).retrieve().toBodilessEntity();
            }
            holds.hold(booking, null, false);
            return xid;
        }
    }
}

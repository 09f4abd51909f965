package dev.tcc.bench;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.zaxxer.hikari.HikariDataSource;
import dev.tcc.runtime.TccRuntime;
import dev.tcc.runtime.http.AuthenticationFailedException;
import dev.tcc.runtime.http.EndpointAnswer;
import dev.tcc.runtime.http.HttpSettings;
import dev.tcc.runtime.http.InboundCall;
import dev.tcc.runtime.http.OutboundCall;
import dev.tcc.runtime.http.SigningKeys;
import dev.tcc.runtime.model.TccSettings;
import dev.tcc.runtime.model.TransactionOptions;
import dev.tcc.runtime.plain.TccAction;
import dev.tcc.spi.TccEvent;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import javax.sql.DataSource;

/**
 * The trip booking across HTTP: an initiator and three participant services (seats, rooms, payments) in this
 * JVM, each with its own database, its own {@link TccRuntime} and its own HTTP server (the JDK's), talking the
 * signed protocol of docs/protocol.md through the runtime's plain-Java API. The baseline makes the same three
 * HTTP calls to endpoints that run the same insert as an uncoordinated local transaction.
 */
final class HttpTripBooking implements AutoCloseable {

    static final String[] PARTICIPANTS = {"seats", "rooms", "payments"};

    static {
        // the JDK's server otherwise leaves Nagle on: small answers then wait for the client's delayed ACK (~40 ms)
        System.setProperty("sun.net.httpserver.nodelay", "true");
    }
    private static final SigningKeys KEYS = new SigningKeys("bench",
            Map.of("bench", "a-benchmark-secret-of-more-than-thirty-two-bytes"), Duration.ofSeconds(30));

    final String db;
    final Map<String, Counting.Counters> counters = new LinkedHashMap<>();
    final LongAdder httpRequests = new LongAdder();
    final LongAdder finished = new LongAdder();
    final LongAdder begun = new LongAdder();
    private final List<AutoCloseable> closing = new ArrayList<>();
    private final Map<String, Service> services = new LinkedHashMap<>();
    private final TccRuntime initiator;
    private final HttpClient client;
    private final ExecutorService serverThreads = Executors.newFixedThreadPool(96);
    private final AtomicLong holdIds = new AtomicLong();

    /** One participant service: its database (which also holds its runtime's own log), runtime, action and server. */
    private final class Service {
        final String name;
        final DataSource data;
        final TccRuntime runtime;
        final TccAction<Integer, String> hold;
        final HttpServer server;
        final String url;

        Service(String name, int poolSize, String runId, TccSettings settings) throws IOException {
            this.name = name;
            this.data = counted(name, TripBooking.pool(db, "http_" + name, poolSize, runId));
            prepare(data);
            this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 512);
            this.url = "http://127.0.0.1:" + server.getAddress().getPort();
            this.runtime = TccRuntime.builder().transactionLog(data).initializeSchema(true).settings(settings)
                    .http(http(url + "/tcc/coordinator")).build();
            this.hold = runtime.action("hold-" + name, Integer.class, String.class)
                    .database(name, data)
                    .onTry((c, item, ctx) -> insertHold(c, item, "PENDING"))
                    .onConfirm((c, item, ctx) -> TripBooking.settleHold(c, ctx.tryResult(String.class), "CONFIRMED"))
                    .onCancel((c, item, ctx) -> TripBooking.settleHold(c, ctx.tryResult(String.class), "RELEASED"))
                    .register();
            server.createContext("/holds", this::tryHold);
            server.createContext("/plain", this::plainHold);
            server.createContext("/tcc/participant/", exchange -> participantEndpoint(runtime, exchange));
            server.setExecutor(serverThreads);
            server.start();
            closing.add(() -> server.stop(0));
            closing.add(runtime);
        }

        private void tryHold(HttpExchange exchange) throws IOException {
            httpRequests.increment();
            byte[] body = exchange.getRequestBody().readAllBytes();
            int item = Integer.parseInt(new String(body, StandardCharsets.UTF_8));
            InboundCall call;
            try {
                call = runtime.inboundCall("POST", pathOf(exchange), exchange.getRequestHeaders()::getFirst, body);
            } catch (AuthenticationFailedException e) {
                send(exchange, 401, e.getMessage());
                return;
            }
            int status = 200;
            String answer;
            try (call) {
                try {
                    answer = hold.tryAction(item);
                } catch (Exception e) {
                    status = 500;
                    answer = e.toString();
                }
                call.responseHeaders().forEach((header, values) -> exchange.getResponseHeaders().put(header, values));
            }
            send(exchange, status, answer);
        }

        private void plainHold(HttpExchange exchange) throws IOException {
            httpRequests.increment();
            int item = Integer.parseInt(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            try (Connection c = data.getConnection()) {
                c.setAutoCommit(false);
                try {
                    String id = insertHold(c, item, "BOOKED");
                    c.commit();
                    send(exchange, 200, id);
                } finally {
                    c.setAutoCommit(true);
                }
            } catch (SQLException e) {
                send(exchange, 500, e.toString());
            }
        }
    }

    HttpTripBooking(String db, int poolSize, TccSettings settings, int phaseTwoThreads, String runId) throws IOException {
        this.db = db;
        this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(2)).build();
        for (String name : PARTICIPANTS) {
            services.put(name, new Service(name, poolSize, runId, settings));
        }
        DataSource log = counted("log", TripBooking.pool(db, "http_log", poolSize, runId));
        TripBooking.dropTccTables(log);
        HttpServer coordinator = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 512);
        String coordinatorUrl = "http://127.0.0.1:" + coordinator.getAddress().getPort() + "/tcc/coordinator";
        this.initiator = TccRuntime.builder().transactionLog(log).initializeSchema(true).settings(settings)
                .phaseTwoThreads(phaseTwoThreads).scheduler(TccRuntime.newRecoveryScheduler()).http(http(coordinatorUrl))
                .listener(e -> {
                    if (e.type() == TccEvent.Type.TRANSACTION_FINISHED) {
                        finished.increment();
                    }
                })
                .build();
        coordinator.createContext("/tcc/coordinator/", exchange -> {
            httpRequests.increment();
            String[] path = exchange.getRequestURI().getRawPath().split("/"); // "", tcc, coordinator, xid, branch, decision
            EndpointAnswer answer = initiator.coordinatorEndpoint().handle("POST", pathOf(exchange), decode(path[3]), path[4],
                    exchange.getRequestHeaders().getFirst("Tcc-Signature"), exchange.getRequestBody().readAllBytes());
            reply(exchange, answer);
        });
        coordinator.setExecutor(serverThreads);
        coordinator.start();
        closing.add(() -> coordinator.stop(0));
        closing.add(initiator);
    }

    private HttpSettings http(String coordinatorUrl) {
        return HttpSettings.defaults().withCoordinatorUrl(() -> coordinatorUrl).withKeys(KEYS);
    }

    private void participantEndpoint(TccRuntime runtime, HttpExchange exchange) throws IOException {
        httpRequests.increment();
        String[] path = exchange.getRequestURI().getRawPath().split("/"); // "", tcc, participant, xid, branch, phase
        if (path.length == 5 && path[3].equals("batch")) { // "", tcc, participant, batch, phase
            reply(exchange, runtime.participantEndpoint().handleBatch("POST", pathOf(exchange), path[4],
                    exchange.getRequestHeaders().getFirst("Tcc-Signature"), exchange.getRequestBody().readAllBytes()));
            return;
        }
        String query = exchange.getRequestURI().getRawQuery();
        String action = query != null && query.startsWith("action=") ? decode(query.substring(7)) : null;
        EndpointAnswer answer = runtime.participantEndpoint().handle("POST", pathOf(exchange), decode(path[3]), path[4], path[5],
                action, exchange.getRequestHeaders().getFirst("Tcc-Signature"), exchange.getRequestBody().readAllBytes());
        reply(exchange, answer);
    }

    /** One coordinated booking: three signed calls inside a transaction, each a remote try. */
    void tcc(int[] items) throws Exception {
        begun.increment();
        initiator.execute(TransactionOptions.named("book"), () -> {
            for (int i = 0; i < PARTICIPANTS.length; i++) {
                Service service = services.get(PARTICIPANTS[i]);
                byte[] body = Integer.toString(items[i]).getBytes(StandardCharsets.UTF_8);
                URI uri = URI.create(service.url + "/holds");
                OutboundCall call = initiator.outboundCall("POST", uri, body);
                HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10))
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body));
                call.requestHeaders().forEach(request::header);
                HttpResponse<String> response;
                try {
                    response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
                } catch (IOException e) {
                    call.lost(e);
                    throw e;
                }
                call.answered(response.statusCode(), name -> response.headers().allValues(name));
                if (response.statusCode() != 200) {
                    throw new IllegalStateException(service.name + " answered " + response.statusCode() + ": " + response.body());
                }
            }
            return null;
        });
    }

    /** The same three calls, each an uncoordinated local transaction behind it. */
    void baseline(int[] items) throws Exception {
        for (int i = 0; i < PARTICIPANTS.length; i++) {
            Service service = services.get(PARTICIPANTS[i]);
            HttpRequest request = HttpRequest.newBuilder(URI.create(service.url + "/plain")).timeout(Duration.ofSeconds(10))
                    .POST(HttpRequest.BodyPublishers.ofString(Integer.toString(items[i]))).build();
            HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IllegalStateException(service.name + " answered " + response.statusCode() + ": " + response.body());
            }
        }
    }

    /** Waits until every transaction begun so far has finished phase two. */
    void awaitFinished(long timeoutMillis) throws InterruptedException {
        long expected = begun.sum();
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (finished.sum() < expected) {
            if (System.currentTimeMillis() > deadline) {
                throw new IllegalStateException("phase two did not finish: " + finished.sum() + " of " + expected);
            }
            Thread.sleep(1);
        }
    }

    Counting.Snapshot total() {
        Counting.Snapshot s = Counting.Snapshot.ZERO;
        for (Counting.Counters c : counters.values()) {
            s = s.plus(c.snapshot());
        }
        return s;
    }

    /** Hold rows still PENDING over all participants (0 once phase two finished). */
    long pendingHolds() {
        long pending = 0;
        for (Service service : services.values()) {
            pending += TripBooking.count(service.data, "hold WHERE state = 'PENDING'");
        }
        return pending;
    }

    @Override
    public void close() throws Exception {
        for (int i = closing.size() - 1; i >= 0; i--) {
            closing.get(i).close();
        }
        serverThreads.shutdownNow();
    }

    // ------------------------------------------------------------------ plumbing

    private DataSource counted(String name, HikariDataSource pool) {
        closing.add(pool);
        Counting.Counters c = new Counting.Counters(name);
        counters.put(name, c);
        return Counting.wrap(pool, c);
    }

    private static String pathOf(HttpExchange exchange) {
        URI uri = exchange.getRequestURI();
        return uri.getRawQuery() == null ? uri.getRawPath() : uri.getRawPath() + "?" + uri.getRawQuery();
    }

    private static String decode(String segment) {
        return URLDecoder.decode(segment, StandardCharsets.UTF_8);
    }

    private static void reply(HttpExchange exchange, EndpointAnswer answer) throws IOException {
        answer.headers().forEach((name, value) -> exchange.getResponseHeaders().set(name, value));
        exchange.getResponseHeaders().putIfAbsent("Content-Type", java.util.List.of("application/json"));
        send(exchange, answer.status(), answer.body());
    }

    private static void send(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            exchange.getResponseBody().write(bytes);
        }
        exchange.close();
    }

    private String insertHold(Connection c, int item, String state) throws SQLException {
        String id = Long.toString(holdIds.incrementAndGet());
        TripBooking.insertHold(c, id, item, state);
        return id;
    }

    private static void prepare(DataSource ds) {
        TripBooking.dropTccTables(ds);
        try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
            st.execute("DROP TABLE IF EXISTS hold");
            st.execute("CREATE TABLE hold (id VARCHAR(36) PRIMARY KEY, item INTEGER NOT NULL, state VARCHAR(16) NOT NULL)");
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}

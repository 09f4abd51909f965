package dev.tcc.sample;

import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.BeforeEach;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs the sample's four services (booking, flights, hotels, payments: four Spring Boot applications with
 * their own databases) on random ports, as {@link TripSample} does, and talks to booking over HTTP only.
 * Holds are short (5 s) and recovery runs every 250 ms, so that an expiring hold and a service outage
 * finish in seconds. Each test books on a flight, hotel and card of its own (inserted once into the
 * participants' databases), so tests do not disturb each other's accounting. Every subclass shares the
 * one fleet, started by the first and closed when the JVM exits.
 */
abstract class AbstractBookingHttpTests {

    static final Duration SETTLE = Duration.ofSeconds(20);
    static final String GOOD_CARD = "4111111111111111";
    private static final AtomicInteger NEXT = new AtomicInteger(100);

    /** Each service's database, in memory, named for the tests. */
    static final Map<String, String> DATABASES = Map.of(
            "booking", "jdbc:h2:mem:test-booking;DB_CLOSE_DELAY=-1;LOCK_TIMEOUT=10000",
            "flights", "jdbc:h2:mem:test-flights;DB_CLOSE_DELAY=-1;LOCK_TIMEOUT=10000",
            "hotels", "jdbc:h2:mem:test-hotels;DB_CLOSE_DELAY=-1;LOCK_TIMEOUT=10000",
            "payments", "jdbc:h2:mem:test-payments;DB_CLOSE_DELAY=-1;LOCK_TIMEOUT=10000");

    private static final List<String> ARGUMENTS = List.of(
            "--sample.services.booking.port=0",
            "--sample.services.flights.port=0",
            "--sample.services.hotels.port=0",
            "--sample.services.payments.port=0",
            "--sample.datasource.booking.url=" + DATABASES.get("booking"),
            "--sample.datasource.flights.url=" + DATABASES.get("flights"),
            "--sample.datasource.hotels.url=" + DATABASES.get("hotels"),
            "--sample.datasource.payments.url=" + DATABASES.get("payments"),
            "--tcc.hold.default-duration=5s",
            "--tcc.hold.safety-margin=1s",
            "--tcc.hold.expiry-grace=500ms",
            "--tcc.recovery.interval=250ms",
            "--tcc.recovery.initial-backoff=250ms",
            "--tcc.recovery.max-backoff=1s",
            "--tcc.circuit-breaker.open-duration=1s",
            "--sample.failures.outage=4s",
            "--spring.main.banner-mode=off");

    /** The four services, started once for every test class in this JVM. */
    private static final class Fleet {
        static final ServiceFleet FLEET = start();

        private static ServiceFleet start() {
            ServiceFleet fleet = ServiceFleet.start(ARGUMENTS.toArray(String[]::new));
            Runtime.getRuntime().addShutdownHook(new Thread(fleet::close, "sample-fleet-close"));
            return fleet;
        }
    }

    protected final JsonMapper json = JsonMapper.builder().build();
    protected final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** Booking's port: the page and the API. */
    int port;

    static ServiceFleet fleet() {
        return Fleet.FLEET;
    }

    @BeforeEach
    void learnThePort() {
        port = fleet().port("booking");
    }

    /** A service's database, opened directly (it survives the service's outages). */
    protected static JdbcClient database(String service) {
        return JdbcClient.create(new DriverManagerDataSource(DATABASES.get(service), "sa", ""));
    }

    // ---- fixtures: a flight, hotel and card of the test's own (set-up only; everything else goes over HTTP)

    protected String newFlight(int seats) {
        String code = "TF" + NEXT.incrementAndGet();
        database("flights").sql("INSERT INTO flight (code, route, price, seats_total, seats_available) VALUES (?, 'Test route', 100.00, ?, ?)")
                .params(code, seats, seats).update();
        return code;
    }

    protected String newHotel(int rooms) {
        String code = "TH" + NEXT.incrementAndGet();
        database("hotels").sql("INSERT INTO hotel (code, name, price_per_night, rooms_total, rooms_available) VALUES (?, 'Test hotel', 50.00, ?, ?)")
                .params(code, rooms, rooms).update();
        return code;
    }

    protected String newCard(String credit, boolean declines) {
        String number = String.format("9%015d", NEXT.incrementAndGet());
        database("payments").sql("INSERT INTO card (number, holder, credit_limit, available, declines) VALUES (?, 'Test', ?, ?, ?)")
                .params(number, new BigDecimal(credit), new BigDecimal(credit), declines).update();
        return number;
    }

    protected static Map<String, Object> trip(String flight, int seats, String hotel, int nights, String card, String simulate) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("flight", flight);
        body.put("seats", seats);
        body.put("hotel", hotel);
        body.put("rooms", 1);
        body.put("nights", nights);
        body.put("card", card);
        if (simulate != null) {
            body.put("simulate", simulate);
        }
        return body;
    }

    // ---- HTTP

    protected record Response(int status, HttpResponse<String> raw, JsonNode body) {
        String header(String name) {
            return raw.headers().firstValue(name).orElse(null);
        }
    }

    protected Response post(String path, Object body, String idempotencyKey) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body instanceof String s ? s : json.writeValueAsString(body)));
        if (idempotencyKey != null) {
            request.header("Idempotency-Key", idempotencyKey);
        }
        return send(request.build());
    }

    protected Response get(String path) {
        return send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(30)).GET().build());
    }

    private Response send(HttpRequest request) {
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            String text = response.body();
            JsonNode body = text == null || text.isBlank() || !text.trim().startsWith("{") && !text.trim().startsWith("[")
                    ? null : json.readTree(text);
            return new Response(response.statusCode(), response, body);
        } catch (Exception e) {
            throw new AssertionError(request.method() + " " + request.uri() + " failed: " + e, e);
        }
    }

    private URI uri(String path) {
        return URI.create("http://localhost:" + port + path);
    }

    // ---- views over HTTP

    /** The inventory item {@code code} of {@code service} from GET /inventory. */
    protected JsonNode item(String service, String code) {
        for (JsonNode s : get("/inventory").body().get("services")) {
            if (s.get("service").asString().equals(service)) {
                for (JsonNode item : s.get("items")) {
                    if (item.get("code").asString().equals(code)) {
                        return item;
                    }
                }
            }
        }
        throw new AssertionError("No " + service + " item [" + code + "] in GET /inventory");
    }

    /** State of every hold of transaction {@code xid}, as "service:STATE", from GET /inventory?xid=. */
    protected List<String> holdStates(String xid) {
        List<String> states = new ArrayList<>();
        for (JsonNode s : get("/inventory?xid=" + xid).body().get("services")) {
            for (JsonNode h : s.get("holds")) {
                states.add(s.get("service").asString() + ":" + h.get("state").asString());
            }
        }
        return states;
    }

    /** The entry of {@code service} in GET /inventory. */
    protected JsonNode service(String service) {
        for (JsonNode s : get("/inventory").body().get("services")) {
            if (s.get("service").asString().equals(service)) {
                return s;
            }
        }
        throw new AssertionError("No service " + service + " in GET /inventory");
    }

    /** One hold of {@code xid} at {@code service}. */
    protected JsonNode hold(String xid, String service) {
        for (JsonNode s : get("/inventory?xid=" + xid).body().get("services")) {
            if (s.get("service").asString().equals(service)) {
                assertThat(s.get("holds").size()).as("holds of %s at %s", xid, service).isEqualTo(1);
                return s.get("holds").get(0);
            }
        }
        throw new AssertionError("No service " + service);
    }

    protected JsonNode transaction(String xid) {
        Response response = get("/transactions/" + xid);
        return response.status() == 200 ? response.body() : null;
    }

    protected static int intOf(JsonNode node, String field) {
        return node.get(field).asInt();
    }
}

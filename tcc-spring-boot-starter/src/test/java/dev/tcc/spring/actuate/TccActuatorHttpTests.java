package dev.tcc.spring.actuate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tcc.api.Cancel;
import dev.tcc.api.Confirm;
import dev.tcc.api.TccTransactional;
import dev.tcc.api.Try;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.http.MediaType;
import org.springframework.web.client.RestClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The actuator endpoint, the health contributor and the metrics, over HTTP. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "management.endpoints.web.exposure.include=health,tcc,metrics", "management.endpoint.health.show-details=always",
        "tcc.phase-two.asynchronous=false", "tcc.recovery.enabled=false", "tcc.retry.max-attempts=3",
        "tcc.retry.initial-interval=1ms", "tcc.recovery.max-rounds=1", "spring.main.banner-mode=off"})
class TccActuatorHttpTests {

    @LocalServerPort
    int port;

    @Autowired
    Initiator initiator;

    @Autowired
    Ledger ledger;

    @Test
    void aConfirmedTransactionIsListedShownWithItsBranchesAndCounted() {
        String xid = initiator.transfer("acc-1");

        JsonNode list = get("/actuator/tcc?state=CONFIRMED").json();
        assertThat(list.path("transactions").findValuesAsString("xid")).contains(xid);
        assertThat(list.path("counts").path("CONFIRMED").asLong()).isPositive();

        JsonNode one = get("/actuator/tcc/" + xid).json();
        assertThat(one.path("state").asString()).isEqualTo("CONFIRMED");
        assertThat(one.path("name").asString()).isEqualTo("Initiator.transfer");
        assertThat(one.path("branches").get(0).path("action").asString()).isEqualTo("debit");
        assertThat(one.path("branches").get(0).path("state").asString()).isEqualTo("CONFIRMED");

        JsonNode transactions = get("/actuator/metrics/tcc.transactions?tag=outcome:CONFIRMED").json();
        assertThat(transactions.path("measurements").get(0).path("value").asDouble()).isPositive();
        assertThat(get("/actuator/metrics/tcc.phase.two").status()).isEqualTo(200);
        assertThat(get("/actuator/metrics/tcc.decision?tag=decision:CONFIRM").status()).isEqualTo(200);
        assertThat(get("/actuator/metrics/tcc.branches?tag=action:debit").status()).isEqualTo(200);
        assertThat(get("/actuator/metrics/tcc.transactions.in.doubt").json().path("measurements").get(0).path("value").asDouble())
                .isZero();
    }

    @Test
    void aFailedTransactionIsReportedInHealthWithoutTakingTheInstanceOutAndAnOperatorRetryConfirmsIt() {
        String xid = failedTransfer("acc-2");

        assertThat(get("/actuator/tcc?state=FAILED").json().path("transactions").findValuesAsString("xid")).contains(xid);
        Response health = get("/actuator/health");
        assertThat(health.status()).isEqualTo(200);
        JsonNode tcc = health.parsed().path("components").path("tcc");
        assertThat(tcc.path("status").asString()).isEqualTo("UP");
        assertThat(tcc.path("details").path("failed").asLong()).isPositive();
        assertThat(tcc.path("details").path("deadLetters").asLong()).isPositive();
        assertThat(get("/actuator/metrics/tcc.transactions.dead.letters").json().path("measurements").get(0).path("value")
                .asDouble()).isPositive();
        assertThat(get("/actuator/metrics/tcc.transactions?tag=outcome:FAILED").status()).isEqualTo(200);

        JsonNode retry = post("/actuator/tcc/" + xid).json();
        assertThat(retry.path("retried").asBoolean()).isTrue();
        assertThat(retry.path("state").asString()).isEqualTo("CONFIRMED");
        JsonNode confirmed = get("/actuator/tcc/" + xid).json();
        assertThat(confirmed.path("state").asString()).isEqualTo("CONFIRMED");
        assertThat(confirmed.path("cause").isMissingNode() || confirmed.path("cause").isNull())
                .as("cause of a CONFIRMED transaction: %s", confirmed.path("cause")).isTrue();
    }

    @Test
    void branchRetriesCountEveryFailedAttempt() {
        double before = counter("/actuator/metrics/tcc.branch.retries?tag=action:debit");

        failedTransfer("acc-4");

        // one round (max-rounds=1) of three attempts (max-attempts=3), every one failed
        assertThat(counter("/actuator/metrics/tcc.branch.retries?tag=action:debit") - before).isEqualTo(3.0);
    }

    @Test
    void theListShowsNoBranchesItDidNotLoad() {
        String xid = initiator.transfer("acc-5");

        JsonNode listed = get("/actuator/tcc?state=CONFIRMED").json().path("transactions");
        assertThat(listed.findValuesAsString("xid")).contains(xid);
        listed.forEach(t -> assertThat(t.has("branches")).as("list entry %s", t).isFalse());
        assertThat(get("/actuator/tcc/" + xid).json().path("branches")).hasSize(1);
    }

    @Test
    void aLimitOutsideItsRangeIsABadRequestThatSaysWhy() {
        for (String limit : new String[] {"-1", "0", "1001"}) {
            Response response = get("/actuator/tcc?limit=" + limit);
            assertThat(response.status()).as("limit=%s", limit).isEqualTo(400);
            assertThat(response.body()).contains("limit").contains("[" + limit + "]").contains("1 and 1000");
        }
        assertThat(get("/actuator/tcc?limit=1").json().path("transactions").size()).isLessThanOrEqualTo(1);
    }

    @Test
    void retryingATransactionThatIsNotFailedChangesNothing() {
        String xid = initiator.transfer("acc-3");

        JsonNode retry = post("/actuator/tcc/" + xid).json();

        assertThat(retry.path("retried").asBoolean()).isFalse();
        assertThat(retry.path("state").asString()).isEqualTo("CONFIRMED");
    }

    @Test
    void anUnknownXidIsNotFound() {
        assertThat(get("/actuator/tcc/no-such-xid").status()).isEqualTo(404);
    }

    @Test
    void anUnknownStateIsABadRequestThatNamesTheStates() {
        Response response = get("/actuator/tcc?state=BOGUS");

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.body()).contains("[BOGUS]").contains("CONFIRMED").contains("FAILED");
    }

    @Test
    void retryingAnUnknownXidIsABadRequestThatSaysWhy() {
        Response response = post("/actuator/tcc/no-such-xid");

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.body()).contains("No TCC transaction [no-such-xid]");
    }

    private String failedTransfer(String account) {
        ledger.failConfirms(true); // through a method: fields of a proxy are not the target's
        try {
            return initiator.transfer(account);
        } finally {
            ledger.failConfirms(false);
        }
    }

    private double counter(String path) {
        Response response = get(path);
        return response.status() == 404 ? 0 : response.json().path("measurements").get(0).path("value").asDouble();
    }

    private Response get(String path) {
        return RestClient.create("http://localhost:" + port).get().uri(path).accept(MediaType.APPLICATION_JSON)
                .exchange((request, response) -> new Response(response.getStatusCode().value(),
                        new String(response.getBody().readAllBytes())));
    }

    private Response post(String path) {
        return RestClient.create("http://localhost:" + port).post().uri(path).contentType(MediaType.APPLICATION_JSON).body("{}")
                .exchange((request, response) -> new Response(response.getStatusCode().value(),
                        new String(response.getBody().readAllBytes())));
    }

    record Response(int status, String body) {
        JsonNode json() {
            assertThat(status).as(body).isBetween(200, 299);
            return parsed();
        }

        /** The body whatever the status (health answers 503 when OUT_OF_SERVICE). */
        JsonNode parsed() {
            return JsonMapper.shared().readTree(body);
        }
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    @Import({Ledger.class, Initiator.class})
    static class ActuatorApplication {
    }

    static class Ledger {
        private final AtomicBoolean failConfirms = new AtomicBoolean();

        public void failConfirms(boolean fail) {
            failConfirms.set(fail);
        }

        @Try
        public void debit(String account) {
        }

        @Confirm("debit")
        public void confirmDebit(String account) {
            if (failConfirms.get()) {
                throw new IllegalStateException("ledger unavailable");
            }
        }

        @Cancel("debit")
        public void cancelDebit(String account) {
        }
    }

    static class Initiator {
        private final Ledger ledger;

        Initiator(Ledger ledger) {
            this.ledger = ledger;
        }

        @TccTransactional
        public String transfer(String account) {
            ledger.debit(account);
            return MDC.get("tcc.xid");
        }
    }
}

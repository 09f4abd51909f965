package dev.tcc.spring.actuate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tcc.api.Cancel;
import dev.tcc.api.Confirm;
import dev.tcc.api.TccContext;
import dev.tcc.api.TccTransactional;
import dev.tcc.api.Try;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
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

/** The default path: phase two asynchronous and batched across transactions, observed over HTTP. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "management.endpoints.web.exposure.include=metrics", "tcc.recovery.enabled=false", "spring.main.banner-mode=off"})
class TccAsynchronousPhaseTwoObservabilityTests {

    /** How long each confirm body works: phase two cannot take less. */
    static final Duration CONFIRM_WORK = Duration.ofMillis(150);

    @LocalServerPort
    int port;

    @Autowired
    Initiator initiator;

    @Autowired
    Ledger ledger;

    @Test
    void thePhaseTwoTimerRecordsTheRealDurationOfABatchedPhaseTwo() {
        initiator.transfer("acc-1");

        await(() -> timer("COUNT") >= 1);
        assertThat(timer("TOTAL_TIME")).isGreaterThanOrEqualTo(CONFIRM_WORK.toMillis() / 1000.0);
    }

    @Test
    void theXidIsInTheMdcOfThePhaseTwoThread() {
        String xid = initiator.transfer("acc-2");

        await(() -> ledger.mdcSeenByConfirm().containsKey(xid));
        assertThat(ledger.mdcSeenByConfirm().get(xid)).isEqualTo(xid);
        assertThat(ledger.confirmThreads().get(xid)).isNotEqualTo(Thread.currentThread().getName());
    }

    private double timer(String statistic) {
        JsonNode timer = get("/actuator/metrics/tcc.phase.two?tag=phase:confirm");
        if (timer == null) {
            return 0;
        }
        for (JsonNode m : timer.path("measurements")) {
            if (m.path("statistic").asString().equals(statistic)) {
                return m.path("value").asDouble();
            }
        }
        return 0;
    }

    private JsonNode get(String path) {
        return RestClient.create("http://localhost:" + port).get().uri(path).accept(MediaType.APPLICATION_JSON)
                .exchange((request, response) -> response.getStatusCode().value() == 404 ? null
                        : JsonMapper.shared().readTree(response.getBody().readAllBytes()));
    }

    /** Polls a condition (phase two runs on its own thread) for at most ten seconds. */
    private static void await(BooleanSupplier condition) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition not met within 10 s").isLessThan(deadline);
            LockSupport.parkNanos(Duration.ofMillis(10).toNanos());
        }
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    @Import({Ledger.class, Initiator.class})
    static class AsynchronousApplication {
    }

    static class Ledger {
        private final Map<String, String> mdcSeenByConfirm = new ConcurrentHashMap<>();
        private final Map<String, String> confirmThreads = new ConcurrentHashMap<>();

        // through methods: fields of a proxy are not the target's
        public Map<String, String> mdcSeenByConfirm() {
            return mdcSeenByConfirm;
        }

        public Map<String, String> confirmThreads() {
            return confirmThreads;
        }

        @Try
        public void debit(String account) {
        }

        @Confirm("debit")
        public void confirmDebit(String account, TccContext ctx) throws InterruptedException {
            Thread.sleep(CONFIRM_WORK.toMillis()); // the work phase two must be measured with
            String mdc = MDC.get("tcc.xid");
            mdcSeenByConfirm.put(ctx.xid(), mdc == null ? "(none)" : mdc);
            confirmThreads.put(ctx.xid(), Thread.currentThread().getName());
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

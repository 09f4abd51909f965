package dev.tcc.spring.actuate;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.MediaType;
import org.springframework.web.client.RestClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** {@code tcc.health.fail-on-dead-letters=true}: a FAILED transaction takes the instance out of service. */
@SpringBootTest(classes = TccActuatorHttpTests.ActuatorApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"management.endpoints.web.exposure.include=health,tcc", "management.endpoint.health.show-details=always",
                "tcc.health.fail-on-dead-letters=true", "tcc.phase-two.asynchronous=false", "tcc.recovery.enabled=false",
                "tcc.retry.max-attempts=1", "tcc.recovery.max-rounds=1", "spring.main.banner-mode=off"})
class TccStrictHealthHttpTests {

    @LocalServerPort
    int port;

    @Autowired
    TccActuatorHttpTests.Initiator initiator;

    @Autowired
    TccActuatorHttpTests.Ledger ledger;

    @Test
    void aFailedTransactionMakesHealthOutOfServiceUntilAnOperatorRetriesIt() {
        ledger.failConfirms(true);
        String xid;
        try {
            xid = initiator.transfer("acc-1");
        } finally {
            ledger.failConfirms(false);
        }

        Map.Entry<Integer, JsonNode> health = get("/actuator/health");
        assertThat(health.getKey()).isEqualTo(503);
        assertThat(health.getValue().path("components").path("tcc").path("status").asString()).isEqualTo("OUT_OF_SERVICE");
        assertThat(health.getValue().path("components").path("tcc").path("details").path("failed").asLong()).isEqualTo(1);

        RestClient.create("http://localhost:" + port).post().uri("/actuator/tcc/" + xid).contentType(MediaType.APPLICATION_JSON)
                .body("{}").retrieve().toBodilessEntity();
        assertThat(get("/actuator/health").getKey()).isEqualTo(200);
    }

    private Map.Entry<Integer, JsonNode> get(String path) {
        return RestClient.create("http://localhost:" + port).get().uri(path).accept(MediaType.APPLICATION_JSON)
                .exchange((request, response) -> Map.entry(response.getStatusCode().value(),
                        JsonMapper.shared().readTree(response.getBody().readAllBytes())));
    }
}

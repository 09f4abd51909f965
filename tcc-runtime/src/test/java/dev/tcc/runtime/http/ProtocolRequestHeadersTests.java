package dev.tcc.runtime.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.tcc.spi.BranchReference;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** The runtime's own protocol requests carry the headers the application adds (credentials for its own security). */
class ProtocolRequestHeadersTests {

    @Test
    void phaseTwoCallsAndQuestionsCarryTheApplicationsHeaders() throws Exception {
        List<String> seen = new CopyOnWriteArrayList<>();
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            seen.add(exchange.getRequestURI().getRawPath() + " " + exchange.getRequestHeaders().getFirst("Authorization"));
            byte[] body = exchange.getRequestURI().getRawPath().contains("/batch/") ? "200\n".getBytes(StandardCharsets.UTF_8)
                    : "{\"decision\":\"CANCEL\"}".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        try {
            String base = "http://127.0.0.1:" + server.getAddress().getPort();
            HttpProtocolClient client = new HttpProtocolClient(HttpSettings.defaults()
                    .withRequestHeaders(target -> Map.of("Authorization", "Bearer for " + target.getPath().split("/")[1])), null);

            client.participant(base + "/tcc/participant").confirm(
                    new BranchReference("x1", 7, base + "/tcc/participant", "hold", Instant.now().plusSeconds(60), 1));
            client.decisionSource(base + "/tcc/coordinator").decideCancelUnlessConfirmed("x1", 7);

            assertThat(seen).containsExactly("/tcc/participant/batch/confirm Bearer for tcc",
                    "/tcc/coordinator/x1/7/decision Bearer for tcc");
        } finally {
            server.stop(0);
        }
    }
}

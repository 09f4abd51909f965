package dev.tcc.spring.http.services;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tcc.runtime.http.TccHeaders;
import dev.tcc.runtime.testing.TestDatabases;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The filter that joins a caller's transaction, seen from the wire, on a service whose container has one
 * request thread: every request below is served by the same pooled thread, so a context left bound by one
 * request would show in the next.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class InboundCallFilterTests {

    private RunningService b;

    @BeforeAll
    void start() {
        b = RunningService.start("b", TestDatabases.Kind.H2, "server.tomcat.threads.max=1", "server.tomcat.threads.min-spare=1");
    }

    @AfterAll
    void stop() {
        if (b != null) {
            b.close();
        }
    }

    @Test
    void aRequestWithoutTheContextIsAnOrdinaryOne() {
        HttpResponse<String> plain = SignedCalls.post(b.url("/echo"), Map.of("Content-Type", "text/plain"),
                "hello".getBytes(StandardCharsets.UTF_8));

        assertThat(plain.statusCode()).isEqualTo(200);
        assertThat(plain.body()).isEqualTo("hello");
        assertThat(plain.headers().map().keySet()).noneMatch(name -> name.toLowerCase().startsWith("tcc-"));
    }

    @Test
    void theHandlerReadsTheBodyTheSignatureCovered() {
        byte[] body = "{\"seats\":2}".getBytes(StandardCharsets.UTF_8);

        HttpResponse<String> answer = joined("/echo", body);

        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        assertThat(answer.body()).isEqualTo("{\"seats\":2}");
    }

    @Test
    void aFailedHandlerStillReportsTheBranchesThatCommittedAndLeavesNoContextOnThePooledThread() {
        String booking = "bk-" + UUID.randomUUID().toString().substring(0, 8);

        HttpResponse<String> failed = joined("/holds?booking=" + booking + "&fail=after", new byte[0]);

        assertThat(failed.statusCode()).isEqualTo(500);
        assertThat(failed.headers().allValues(TccHeaders.BRANCH)).as("the hold that committed before the failure").hasSize(1);
        assertThat(failed.headers().firstValue(TccHeaders.CANCEL_ONLY)).isPresent();
        assertThat(failed.headers().firstValue(TccHeaders.SIGNATURE)).isPresent();
        assertThat(b.rows().state(booking)).isEqualTo("PENDING");
        assertNothingBound();
    }

    @Test
    void aSuccessfulJoinedCallLeavesNoContextOnThePooledThread() {
        String booking = "bk-" + UUID.randomUUID().toString().substring(0, 8);

        HttpResponse<String> answer = joined("/holds?booking=" + booking, new byte[0]);

        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(answer.headers().allValues(TccHeaders.BRANCH)).hasSize(1);
        assertThat(answer.headers().firstValue(TccHeaders.CANCEL_ONLY)).isEmpty();
        assertNothingBound();
    }

    @Test
    void aMalformedContextIsABadRequestAndNothingRuns() {
        String booking = "bk-" + UUID.randomUUID().toString().substring(0, 8);
        String path = "/holds?booking=" + booking;
        String timeout = SignedCalls.timeoutIn(30);
        String coordinator = "http://localhost:1/tcc/coordinator";

        HttpResponse<String> badRange = SignedCalls.post(b.url(path),
                SignedCalls.contextHeaders(SignedCalls.signer(), b.url(path), newXid(), "many", timeout, coordinator, new byte[0]), new byte[0]);
        HttpResponse<String> badTimeout = SignedCalls.post(b.url(path),
                SignedCalls.contextHeaders(SignedCalls.signer(), b.url(path), newXid(), "1000-1999", "tomorrow", coordinator, new byte[0]), new byte[0]);

        assertThat(badRange.statusCode()).as(badRange.body()).isEqualTo(400);
        assertThat(badTimeout.statusCode()).as(badTimeout.body()).isEqualTo(400);
        assertThat(badRange.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
        assertThat(b.rows().state(booking)).isNull();
        assertNothingBound();
    }

    private void assertNothingBound() {
        HttpResponse<String> context = SignedCalls.get(b.url("/context"));
        assertThat(context.statusCode()).as(context.body()).isEqualTo(200);
        assertThat(context.body()).contains("\"xid\":\"\"").contains("\"inTransaction\":false");
    }

    /** A call carrying a well-signed context of a fresh transaction (whose coordinator nobody asks in these tests). */
    private HttpResponse<String> joined(String pathAndQuery, byte[] body) {
        Map<String, String> headers = new LinkedHashMap<>(SignedCalls.contextHeaders(SignedCalls.signer(), b.url(pathAndQuery), newXid(),
                "1000-1999", SignedCalls.timeoutIn(30), "http://localhost:1/tcc/coordinator", body));
        headers.put("Content-Type", "application/json");
        return SignedCalls.post(b.url(pathAndQuery), headers, body);
    }

    private static String newXid() {
        return "x-" + UUID.randomUUID();
    }
}

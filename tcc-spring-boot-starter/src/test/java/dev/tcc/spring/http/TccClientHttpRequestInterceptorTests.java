package dev.tcc.spring.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import dev.tcc.runtime.TccRuntime;
import dev.tcc.runtime.http.OutboundCall;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.mock.http.client.MockClientHttpRequest;
import org.springframework.mock.http.client.MockClientHttpResponse;

/** The interceptor against a stub of the runtime: what it adds, and what it reports before the caller sees the answer. */
class TccClientHttpRequestInterceptorTests {

    private final TccRuntime runtime = mock(TccRuntime.class);
    private final TccClientHttpRequestInterceptor interceptor = new TccClientHttpRequestInterceptor(runtime);
    private final RecordingCall call = new RecordingCall();
    private final MockClientHttpRequest request = new MockClientHttpRequest(HttpMethod.POST, URI.create("http://flights/holds?seats=2"));
    private final byte[] body = "{\"seats\":2}".getBytes();

    @Test
    void outsideATransactionTheCallGoesOutUntouched() throws IOException {
        when(runtime.outboundCall(any(), any(), any())).thenReturn(null);
        MockClientHttpResponse answer = new MockClientHttpResponse(new byte[0], HttpStatus.OK);

        assertThat(interceptor.intercept(request, body, (r, b) -> answer)).isSameAs(answer);
        assertThat(request.getHeaders().headerNames()).noneMatch(name -> name.startsWith("Tcc-"));
    }

    @Test
    void insideATransactionTheContextHeadersGoOutAndTheAnswerIsRecordedBeforeItIsReturned() throws IOException {
        when(runtime.outboundCall(eq("POST"), eq(URI.create("http://flights/holds?seats=2")), eq(body))).thenReturn(call);
        MockClientHttpResponse answer = new MockClientHttpResponse(new byte[0], HttpStatus.CONFLICT);
        answer.getHeaders().add("Tcc-Branch", "7;action=hold");
        answer.getHeaders().add("tcc-branch", "8;action=hold");
        answer.getHeaders().add("Tcc-Cancel-Only", "seats 1, 2 taken");

        var returned = interceptor.intercept(request, body, (r, b) -> {
            assertThat(r.getHeaders().getFirst("Tcc-Xid")).isEqualTo("x1");
            assertThat(call.events).as("nothing recorded before the answer").isEmpty();
            return answer;
        });

        assertThat(returned).isSameAs(answer);
        assertThat(call.events).containsExactly("answered 409 [7;action=hold, 8;action=hold] 1[seats 1, 2 taken]");
    }

    @Test
    void anAnswerThatNeverArrivesIsReportedLostAndTheFailureReachesTheCaller() {
        when(runtime.outboundCall(any(), any(), any())).thenReturn(call);
        SocketTimeoutException timeout = new SocketTimeoutException("Read timed out");

        assertThatExceptionOfType(SocketTimeoutException.class)
                .isThrownBy(() -> interceptor.intercept(request, body, (r, b) -> {
                    throw timeout;
                }))
                .isSameAs(timeout);
        assertThat(call.events).containsExactly("lost Read timed out");
    }

    /** Records what the interceptor reports. */
    static final class RecordingCall implements OutboundCall {
        final List<String> events = new ArrayList<>();

        @Override
        public Map<String, String> requestHeaders() {
            return Map.of("Tcc-Xid", "x1", "Tcc-Branch-Range", "1000-1999");
        }

        @Override
        public void answered(int status, Function<String, List<String>> responseHeaders) {
            List<String> cancelOnly = responseHeaders.apply("Tcc-Cancel-Only");
            events.add("answered " + status + " " + responseHeaders.apply("TCC-BRANCH") + " " + cancelOnly.size() + cancelOnly);
        }

        @Override
        public void lost(Exception failure) {
            events.add("lost " + failure.getMessage());
        }
    }
}

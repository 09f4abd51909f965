package dev.tcc.spring.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import dev.tcc.runtime.TccRuntime;
import dev.tcc.runtime.http.AuthenticationFailedException;
import dev.tcc.runtime.http.InboundCall;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;

/** The filter against a stub of the runtime: refusals, the body, the headers on every outcome, the call closed. */
class TccInboundCallFilterTests {

    private final TccRuntime runtime = mock(TccRuntime.class);
    private final TccInboundCallFilter filter = new TccInboundCallFilter(() -> runtime);
    private final MockHttpServletRequest request = new MockHttpServletRequest("POST", "/holds");
    private final MockHttpServletResponse response = new MockHttpServletResponse();
    private final RecordingCall call = new RecordingCall();

    TccInboundCallFilterTests() {
        request.setQueryString("booking=b%201");
        request.addHeader("Tcc-Xid", "x1");
        request.setContent("{\"seats\":2}".getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void withoutTheContextHeaderTheRuntimeIsNotAsked() throws Exception {
        MockHttpServletRequest plain = new MockHttpServletRequest("GET", "/holds");
        List<String> ran = new ArrayList<>();

        filter.doFilter(plain, response, (req, res) -> ran.add("handler"));

        assertThat(ran).containsExactly("handler");
        verify(runtime, never()).inboundCall(any(), any(), any(), any());
    }

    @Test
    void anUnauthenticatedContextIs401AndNothingRuns() throws Exception {
        when(runtime.inboundCall(any(), any(), any(), any())).thenThrow(new AuthenticationFailedException("unknown key id 'k9'"));

        filter.doFilter(request, response, (req, res) -> {
            throw new AssertionError("the handler must not run");
        });

        assertThat(response.getStatus()).isEqualTo(401);
        assertThat(response.getContentType()).startsWith("application/json");
        assertThat(response.getContentAsString()).contains("Not authenticated").doesNotContain("k9");
    }

    @Test
    void aMalformedContextIs400AndNothingRuns() throws Exception {
        when(runtime.inboundCall(any(), any(), any(), any())).thenThrow(new IllegalArgumentException("Tcc-Branch-Range [many]"));

        filter.doFilter(request, response, (req, res) -> {
            throw new AssertionError("the handler must not run");
        });

        assertThat(response.getStatus()).isEqualTo(400);
    }

    @Test
    void theRuntimeGetsTheRawPathWithQueryAndTheBodyAndTheHandlerStillReadsTheBody() throws Exception {
        when(runtime.inboundCall(eq("POST"), eq("/holds?booking=b%201"), any(), eq("{\"seats\":2}".getBytes(StandardCharsets.UTF_8))))
                .thenReturn(call);
        List<String> read = new ArrayList<>();

        filter.doFilter(request, response, (req, res) -> read.add(new String(req.getInputStream().readAllBytes(), StandardCharsets.UTF_8)));

        assertThat(read).containsExactly("{\"seats\":2}");
        assertThat(call.closed).isTrue();
    }

    @Test
    void theRegistrationHeadersPrecedeTheBufferedBody() throws Exception {
        when(runtime.inboundCall(any(), any(), any(), any())).thenReturn(call);

        filter.doFilter(request, response, (req, res) -> {
            res.getWriter().write("held");
            res.flushBuffer(); // would commit the answer before the headers without the buffer
            call.branches.add("7;action=hold");
        });

        assertThat(response.getHeaders("Tcc-Branch")).containsExactly("7;action=hold");
        assertThat(response.getContentAsString()).isEqualTo("held");
        assertThat(call.closed).isTrue();
    }

    @Test
    void aHandlerThatFailsAfterATryCommittedStillReportsItAndTheCallIsClosed() throws Exception {
        when(runtime.inboundCall(any(), any(), any(), any())).thenReturn(call);
        FilterChain failing = (req, res) -> {
            call.branches.add("7;action=hold");
            throw new ServletException(new IllegalStateException("second step failed"));
        };

        assertThatExceptionOfType(ServletException.class).isThrownBy(() -> filter.doFilter(request, response, failing));

        assertThat(response.getHeaders("Tcc-Branch")).containsExactly("7;action=hold");
        assertThat(response.getHeader("Tcc-Cancel-Only")).isEqualTo("second step failed");
        assertThat(response.isCommitted()).as("the container still renders the error").isFalse();
        assertThat(call.closed).isTrue();
    }

    /** The joined call as the filter sees it. */
    static final class RecordingCall implements InboundCall {
        final List<String> branches = new ArrayList<>();
        boolean closed;

        @Override
        public Map<String, List<String>> responseHeaders() {
            if (branches.isEmpty()) {
                return Map.of();
            }
            return Map.of("Tcc-Branch", List.copyOf(branches), "Tcc-Cancel-Only", List.of("second step failed"));
        }

        @Override
        public void close() {
            closed = true;
        }
    }

}

package dev.tcc.spring.http;

import dev.tcc.runtime.TccRuntime;
import dev.tcc.runtime.http.OutboundCall;
import java.io.IOException;
import java.util.Objects;
import java.util.function.Supplier;
import org.springframework.http.HttpRequest;
import org.springframework.http.client.ClientHttpRequestExecution;
import org.springframework.http.client.ClientHttpRequestInterceptor;
import org.springframework.http.client.ClientHttpResponse;

/**
 * Carries the TCC transaction bound to the calling thread onto an HTTP call (docs/protocol.md): adds the
 * context headers ({@code Tcc-Xid}, {@code Tcc-Branch-Range}, {@code Tcc-Timeout}, {@code Tcc-Coordinator},
 * {@code Tcc-Signature}) and, before the answer reaches the caller's code, records the remote branches the
 * answer lists with the transaction. A call whose answer never arrives is recorded as an in-doubt branch,
 * so the transaction is cancelled. Outside a transaction the call goes out untouched.
 *
 * <p>The starter adds it to every {@code RestClient.Builder} and {@code RestTemplateBuilder} that Spring Boot
 * provides. A client built by hand needs it added, as the last interceptor (it signs the request as it goes out):
 * <pre>{@code
 * RestClient flights = RestClient.builder()
 *         .baseUrl("http://flights")
 *         .requestInterceptor(new TccClientHttpRequestInterceptor(tccRuntime))
 *         .build();
 * restTemplate.getInterceptors().add(new TccClientHttpRequestInterceptor(tccRuntime));
 * }</pre>
 */
public final class TccClientHttpRequestInterceptor implements ClientHttpRequestInterceptor {

    private final Supplier<TccRuntime> runtime;

    /** An interceptor for {@code runtime}'s transactions. */
    public TccClientHttpRequestInterceptor(TccRuntime runtime) {
        Objects.requireNonNull(runtime, "runtime");
        this.runtime = () -> runtime;
    }

    /** For the starter's customizers: the runtime is looked up on the first call, not while builders are created. */
    TccClientHttpRequestInterceptor(Supplier<TccRuntime> runtime) {
        this.runtime = Objects.requireNonNull(runtime, "runtime");
    }

    @Override
    public ClientHttpResponse intercept(HttpRequest request, byte[] body, ClientHttpRequestExecution execution) throws IOException {
        OutboundCall call = runtime.get().outboundCall(request.getMethod().name(), request.getURI(), body);
        if (call == null) {
            return execution.execute(request, body);
        }
        call.requestHeaders().forEach(request.getHeaders()::set);
        ClientHttpResponse response;
        int status;
        try {
            response = execution.execute(request, body);
            status = response.getStatusCode().value();
        } catch (IOException | RuntimeException e) {
            // the request may have reached the participant and tried there: the runtime cancels it as in doubt
            call.lost(e);
            throw e;
        }
        try {
            // the header lines as received: a Tcc-Cancel-Only reason may contain commas, and the runtime splits
            // Tcc-Branch values that an intermediary joined
            call.answered(status, name -> response.getHeaders().getOrEmpty(name));
        } catch (RuntimeException e) {
            response.close();
            throw e;
        }
        return response;
    }
}

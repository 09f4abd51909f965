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

    private static final java.util.Set<String> SAFE_METHODS = java.util.Set.of("GET", "HEAD", "OPTIONS", "TRACE");

    private final Supplier<TccRuntime> runtime;
    private final boolean propagateSafeMethods;

    /** An interceptor for {@code runtime}'s transactions; GET, HEAD, OPTIONS and TRACE calls do not carry them. */
    public TccClientHttpRequestInterceptor(TccRuntime runtime) {
        this(runtime, false);
    }

    /**
     * An interceptor for {@code runtime}'s transactions.
     *
     * @param propagateSafeMethods whether GET, HEAD, OPTIONS and TRACE calls carry the transaction too (a read that
     *                             fails or times out then cancels it, as a lost answer would)
     */
    public TccClientHttpRequestInterceptor(TccRuntime runtime, boolean propagateSafeMethods) {
        Objects.requireNonNull(runtime, "runtime");
        this.runtime = () -> runtime;
        this.propagateSafeMethods = propagateSafeMethods;
    }

    /** For the starter's customizers: the runtime is looked up on the first call, not while builders are created. */
    TccClientHttpRequestInterceptor(Supplier<TccRuntime> runtime, boolean propagateSafeMethods) {
        this.runtime = Objects.requireNonNull(runtime, "runtime");
        this.propagateSafeMethods = propagateSafeMethods;
    }

    @Override
    public ClientHttpResponse intercept(HttpRequest request, byte[] body, ClientHttpRequestExecution execution) throws IOException {
        if (!propagateSafeMethods && SAFE_METHODS.contains(request.getMethod().name())) {
            return execution.execute(request, body); // a safe method runs no try (tcc.http.propagate-safe-methods)
        }
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

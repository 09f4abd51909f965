package dev.tcc.spring.http;

import dev.tcc.runtime.TccRuntime;
import dev.tcc.runtime.http.AuthenticationFailedException;
import dev.tcc.runtime.http.InboundCall;
import dev.tcc.runtime.http.TccHeaders;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.util.ContentCachingResponseWrapper;

/**
 * Joins the caller's TCC transaction for a request that carries its context (a {@code Tcc-Xid} header), so
 * the handler's tries become branches of it, and puts the headers that register those branches on the answer.
 * The context is checked before anything runs: a request that is not authenticated gets 401, a malformed one
 * 400. The answer is buffered so that the registration headers reach the caller whatever the handler did,
 * also when it failed after some tries had committed. The joined transaction is unbound in {@code finally}:
 * it never leaks into the next request the pooled thread serves.
 */
public class TccInboundCallFilter extends OncePerRequestFilter {

    private static final Log log = LogFactory.getLog(TccInboundCallFilter.class);

    private final Supplier<TccRuntime> runtime;

    public TccInboundCallFilter(Supplier<TccRuntime> runtime) {
        this.runtime = runtime;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        if (request.getHeader(TccHeaders.XID) == null) {
            chain.doFilter(request, response);
            return;
        }
        // the signature covers the body: read it whole first, and let the handler read it again
        byte[] body = request.getInputStream().readAllBytes();
        CachedBodyRequest cachedRequest = new CachedBodyRequest(request, body);
        InboundCall call;
        try {
            call = runtime.get().inboundCall(request.getMethod(), RawPath.of(request), request::getHeader, body);
        } catch (AuthenticationFailedException e) {
            log.warn("Refused a TCC call " + request.getMethod() + " " + request.getRequestURI() + ": " + e.getMessage());
            // why stays in this log: the answer would tell a stranger the key ids and the clock
            refuse(request, response, HttpServletResponse.SC_UNAUTHORIZED, "Not authenticated: the Tcc-Signature is missing"
                    + " or does not verify; the receiving service's log says why");
            return;
        } catch (IllegalArgumentException e) {
            refuse(request, response, HttpServletResponse.SC_BAD_REQUEST, e.getMessage());
            return;
        }
        if (call == null) {
            chain.doFilter(cachedRequest, response);
            return;
        }
        ContentCachingResponseWrapper buffered = new ContentCachingResponseWrapper(response);
        boolean completed = false;
        try {
            chain.doFilter(cachedRequest, buffered);
            completed = true;
        } finally {
            try {
                addRegistrationHeaders(call, response);
            } finally {
                call.close();
            }
            if (completed) {
                buffered.copyBodyToResponse();
            }
            // on a failure the container renders the error answer; the headers are already on the response
        }
    }

    private static void addRegistrationHeaders(InboundCall call, HttpServletResponse response) {
        Map<String, List<String>> headers = call.responseHeaders();
        if (response.isCommitted()) {
            if (!headers.isEmpty()) {
                log.warn("The answer was committed before the TCC registration headers " + headers.keySet()
                        + " could be added; the caller counts it as a lost answer and cancels");
            }
            return;
        }
        headers.forEach((name, values) -> values.forEach(value -> response.addHeader(name, value)));
    }

    private static void refuse(HttpServletRequest request, HttpServletResponse response, int status, String message)
            throws IOException {
        log.warn("Refused a TCC call " + request.getMethod() + " " + request.getRequestURI() + " with " + status + ": " + message);
        response.setStatus(status);
        response.setContentType("application/json");
        response.setCharacterEncoding(StandardCharsets.UTF_8.name());
        response.getWriter().write("{\"status\":" + status + ",\"message\":" + Json.string(message) + "}");
    }
}

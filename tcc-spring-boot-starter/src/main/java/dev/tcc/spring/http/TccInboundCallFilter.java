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
import tools.jackson.core.io.JsonStringEncoder;

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

    /** The default cap on the body of a call carrying a transaction: 1 MiB. */
    public static final long DEFAULT_MAX_BODY_SIZE = 1024 * 1024;

    private final long maxBodySize;

    public TccInboundCallFilter(Supplier<TccRuntime> runtime) {
        this(runtime, DEFAULT_MAX_BODY_SIZE);
    }

    /** @param maxBodySize the largest body of a call carrying a transaction; a larger one is refused with 413 */
    public TccInboundCallFilter(Supplier<TccRuntime> runtime, long maxBodySize) {
        this.runtime = runtime;
        this.maxBodySize = maxBodySize;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        if (request.getHeader(TccHeaders.XID) == null) {
            chain.doFilter(request, response);
            return;
        }
        // the signature covers the body: read it whole first (at most the cap: a stranger's Tcc-Xid must not make this
        // service buffer an unbounded body), and let the handler read it again
        String type = request.getContentType() == null ? "" : request.getContentType().toLowerCase(java.util.Locale.ROOT);
        if (type.startsWith("multipart/") || type.startsWith("application/x-www-form-urlencoded")) {
            // their parts and parameters are parsed from the stream this filter must read whole (it is signed)
            refuse(request, response, HttpServletResponse.SC_UNSUPPORTED_MEDIA_TYPE, "A call carrying a TCC transaction"
                    + " cannot be a form or multipart request (" + type + "): send its data as JSON");
            return;
        }
        long declared = request.getContentLengthLong();
        if (declared > maxBodySize) {
            refuse(request, response, HttpServletResponse.SC_REQUEST_ENTITY_TOO_LARGE, "A call carrying a TCC transaction"
                    + " may have a body of at most " + maxBodySize + " bytes (tcc.http.max-body-size)");
            return;
        }
        byte[] body = request.getInputStream().readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBodySize + 1));
        if (body.length > maxBodySize) {
            refuse(request, response, HttpServletResponse.SC_REQUEST_ENTITY_TOO_LARGE, "A call carrying a TCC transaction"
                    + " may have a body of at most " + maxBodySize + " bytes (tcc.http.max-body-size)");
            return;
        }
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
        // sendError and sendRedirect go straight to the container, which ignores headers added after them: the
        // registration goes on first (a 409 from a ResponseStatusException must still name the branches tried)
        java.util.concurrent.atomic.AtomicBoolean registeredEarly = new java.util.concurrent.atomic.AtomicBoolean();
        ContentCachingResponseWrapper buffered = new ContentCachingResponseWrapper(response) {
            @Override
            public void sendError(int status) throws IOException {
                registerEarly();
                super.sendError(status);
            }

            @Override
            public void sendError(int status, String message) throws IOException {
                registerEarly();
                super.sendError(status, message);
            }

            @Override
            public void sendRedirect(String location) throws IOException {
                registerEarly();
                super.sendRedirect(location);
            }

            private void registerEarly() {
                addRegistrationHeaders(call, response);
                registeredEarly.set(true);
            }
        };
        boolean completed = false;
        try {
            chain.doFilter(cachedRequest, buffered);
            completed = true;
        } finally {
            try {
                if (!registeredEarly.get()) { // after sendError the answer is committed, with the headers already on it
                    addRegistrationHeaders(call, response);
                }
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
        // replaces what an earlier call put there (sendError adds them first, the filter again at the end)
        headers.forEach((name, values) -> {
            response.setHeader(name, values.get(0));
            values.subList(1, values.size()).forEach(value -> response.addHeader(name, value));
        });
    }

    private static void refuse(HttpServletRequest request, HttpServletResponse response, int status, String message)
            throws IOException {
        log.warn("Refused a TCC call " + request.getMethod() + " " + request.getRequestURI() + " with " + status + ": " + message);
        response.setStatus(status);
        response.setContentType("application/json");
        response.setCharacterEncoding(StandardCharsets.UTF_8.name());
        response.getWriter().write("{\"status\":" + status + ",\"message\":\""
                + new String(JsonStringEncoder.getInstance().quoteAsCharArray(String.valueOf(message))) + "\"}");
    }
}

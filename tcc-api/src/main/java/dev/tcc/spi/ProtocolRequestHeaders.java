package dev.tcc.spi;

import java.net.URI;
import java.util.Map;

/**
 * Headers for the requests the runtime itself sends to other services: phase-two calls and batches to participant
 * endpoints, and decision questions to coordinator endpoints (docs/protocol.md). For services that protect those
 * endpoints with their own security (Spring Boot: {@code tcc.http.authentication=spring-security}) instead of, or on
 * top of, the protocol's signatures: return the credentials they expect, e.g. an {@code Authorization} header.
 * Called once per request, on the thread that sends it; must be fast and thread-safe.
 */
@FunctionalInterface
public interface ProtocolRequestHeaders {

    /** The headers to add to a request to {@code target}; empty for none. */
    Map<String, String> headersFor(URI target);
}

package dev.tcc.runtime.http;

import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * One HTTP call made inside a TCC transaction, as the caller's client sees it: the headers to send, then
 * either the answer's headers or the failure. Get one from {@code TccRuntime.outboundCall}; exactly one of
 * {@link #answered} and {@link #lost} must be called, before the answer reaches user code.
 */
public interface OutboundCall {

    /** The context headers to add to the request (xid, range, timeout, coordinator, signature). */
    Map<String, String> requestHeaders();

    /**
     * Records the branches the answer lists with the transaction, and marks it cancel-only when the answer
     * says so. An answer whose registration headers are not authenticated counts as lost.
     *
     * @param status          the answer's HTTP status
     * @param responseHeaders all values of a response header by name (case-insensitive), empty when absent
     */
    void answered(int status, Function<String, List<String>> responseHeaders);

    /**
     * The answer never arrived (timeout, reset): records the call as an in-doubt branch that phase two
     * cancels with a range cancel, and marks the transaction cancel-only.
     */
    void lost(Exception failure);
}

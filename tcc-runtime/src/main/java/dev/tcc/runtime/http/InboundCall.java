package dev.tcc.runtime.http;

import java.util.List;
import java.util.Map;

/**
 * A request that carries a caller's TCC context, joined on this thread: tries run while it is open
 * become branches of the caller's transaction, with barrier rows that remember the caller's coordinator.
 * Close it in {@code finally}; take {@link #responseHeaders()} before the response is committed.
 */
public interface InboundCall extends AutoCloseable {

    /** The headers that register the branches recorded so far with the caller (and their signature). */
    Map<String, List<String>> responseHeaders();

    /** Unbinds the caller's transaction from this thread. */
    @Override
    void close();
}

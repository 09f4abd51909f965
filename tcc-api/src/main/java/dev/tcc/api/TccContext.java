package dev.tcc.api;

import java.time.Instant;

/**
 * What a branch method knows about the branch it runs for. Declared as the last parameter of a
 * {@link Confirm} or {@link Cancel} method (or as its only parameter), the runtime passes it in.
 *
 * <p>All values are stable across retries of the same phase except {@link #attempt()}.
 */
public interface TccContext {

    /** Global transaction id. */
    String xid();

    /** Branch id, unique within the global transaction, assigned in try order starting at 1. */
    int branchId();

    /** Action name of the {@link Try} this branch belongs to. */
    String action();

    /** Phase currently running. */
    Phase phase();

    /** Instant after which the hold expires unless confirmed. */
    Instant holdDeadline();

    /**
     * A key stable across every retry of every phase of this branch ({@code xid:branchId}); pass
     * it to external APIs so that a retried call is not applied twice.
     */
    String idempotencyKey();

    /**
     * The value the try returned, decoded into {@code type}; {@code null} when the try returned
     * nothing or its local transaction rolled back (see {@link Try#externalEffects()}).
     */
    <T> T tryResult(Class<T> type);

    /** 1 for the first delivery of this phase, higher for retries (within one process). */
    int attempt();
}

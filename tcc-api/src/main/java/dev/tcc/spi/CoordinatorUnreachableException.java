package dev.tcc.spi;

/**
 * Thrown by a {@link DecisionSource} that could not reach the coordinator at all: no connection
 * to its database or its endpoint could be opened, or an open one broke. It is the only failure
 * after which hold expiry may release a hold on its own, and only once the coordinator has stayed
 * unreachable for {@code tcc.recovery.coordinator-unreachable-after}.
 *
 * <p>Do not throw it for a coordinator that answered with an error (a lock timeout, a
 * serialization failure, an HTTP 5xx) or for a local pool that had no free connection in time:
 * the coordinator may have decided confirm, so hold expiry asks again on its next pass.
 */
public class CoordinatorUnreachableException extends Exception {

    private static final long serialVersionUID = 1L;

    public CoordinatorUnreachableException(String message, Throwable cause) {
        super(message, cause);
    }
}

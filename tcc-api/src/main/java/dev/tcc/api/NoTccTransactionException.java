package dev.tcc.api;

/**
 * Thrown when a {@link Try} method is called while no TCC transaction is in progress on the thread. The try did not run: call it from a {@link TccTransactional} method or inside {@code TccTemplate.execute}.
 */
public class NoTccTransactionException extends TccException {

    private static final long serialVersionUID = 1L;

    public NoTccTransactionException(String message) {
        super(message);
    }

    public NoTccTransactionException(String message, Throwable cause) {
        super(message, cause);
    }
}

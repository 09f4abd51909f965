package dev.tcc.api;

/**
 * Thrown to the caller of a {@link TccTransactional} method that returned normally when the transaction could not be confirmed and was cancelled instead: a hold was too close to expiry, the transaction timed out, or it was cancelled by recovery. Every branch tried is cancelled; nothing was confirmed.
 */
public class TransactionCancelledException extends TccException {

    private static final long serialVersionUID = 1L;

    public TransactionCancelledException(String message) {
        super(message);
    }

    public TransactionCancelledException(String message, Throwable cause) {
        super(message, cause);
    }
}

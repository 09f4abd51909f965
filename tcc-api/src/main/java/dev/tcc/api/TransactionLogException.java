package dev.tcc.api;

/**
 * Thrown when the transaction log or the branch barrier cannot be read or written (for example the database is down). A try that fails this way did not commit; a transaction whose decision was durable is finished later by recovery.
 */
public class TransactionLogException extends TccException {

    private static final long serialVersionUID = 1L;

    public TransactionLogException(String message) {
        super(message);
    }

    public TransactionLogException(String message, Throwable cause) {
        super(message, cause);
    }
}

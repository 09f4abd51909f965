package dev.tcc.api;

/**
 * Thrown when the transaction log is asked for a state change that the table of legal transitions
 * ({@code TransactionState.successors()}) does not list. It points at a defect in the framework;
 * report it with the xid.
 */
public class IllegalTransactionStateException extends TccException {

    private static final long serialVersionUID = 1L;

    public IllegalTransactionStateException(String message) {
        super(message);
    }
}

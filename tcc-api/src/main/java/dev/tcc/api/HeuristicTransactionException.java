package dev.tcc.api;

/**
 * Thrown when a transaction ended {@code HEURISTIC}: a confirm was decided but a participant refused it because it had already expired its hold. Some branches may be confirmed and others cancelled; the transaction is reported for an operator.
 */
public class HeuristicTransactionException extends TccException {

    private static final long serialVersionUID = 1L;

    public HeuristicTransactionException(String message) {
        super(message);
    }

    public HeuristicTransactionException(String message, Throwable cause) {
        super(message, cause);
    }
}

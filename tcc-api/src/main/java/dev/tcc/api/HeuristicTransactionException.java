package dev.tcc.api;

/**
 * Describes a transaction that ended {@code HEURISTIC}: a confirm was decided but a participant refused it because it
 * had already expired its hold, so some branches may be confirmed and others cancelled. The runtime does not throw it
 * today: the initiator's call has returned by the time phase two learns of the refusal, so the outcome is recorded in
 * the log (state HEURISTIC), logged, published as an event and counted as a dead letter for an operator. Kept for
 * participants and integrations that want to report the condition as an exception.
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

package dev.tcc.api;

/**
 * Thrown by a participant when a confirm finds its branch cancelled (the hold expired or a cancel got there first). The confirm body did not run; the coordinator ends the transaction {@code HEURISTIC}.
 */
public class ConfirmRefusedException extends TccException {

    private static final long serialVersionUID = 1L;

    public ConfirmRefusedException(String message) {
        super(message);
    }

    public ConfirmRefusedException(String message, Throwable cause) {
        super(message, cause);
    }
}

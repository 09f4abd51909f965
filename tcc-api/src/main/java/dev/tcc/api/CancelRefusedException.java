package dev.tcc.api;

/**
 * Thrown by a participant when a cancel finds its branch already confirmed (another driver's
 * confirm got there first, or won the race for the barrier row). The cancel body did not run and
 * the confirmed hold stands. A transaction whose decision is cancel should never meet this: phase
 * two treats it as a failed call, so the transaction ends {@code FAILED} for an operator to look at.
 */
public class CancelRefusedException extends TccException {

    private static final long serialVersionUID = 1L;

    public CancelRefusedException(String message) {
        super(message);
    }
}

package dev.tcc.api;

/**
 * Thrown when a try arrives after its branch was already cancelled (a hanging try, or a hold that expired) or after its transaction timed out. The try body did not run and nothing changed.
 */
public class TryRefusedException extends TccException {

    private static final long serialVersionUID = 1L;

    public TryRefusedException(String message) {
        super(message);
    }

    public TryRefusedException(String message, Throwable cause) {
        super(message, cause);
    }
}

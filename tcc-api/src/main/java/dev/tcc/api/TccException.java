package dev.tcc.api;

/**
 * Base of every exception the TCC framework throws. Each subclass is named after its condition;
 * messages say what to do, quote names in '...' and values in [...].
 */
public abstract class TccException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    protected TccException(String message) {
        super(message);
    }

    protected TccException(String message, Throwable cause) {
        super(message, cause);
    }
}

package dev.tcc.api;

/**
 * Thrown at start-up when TCC annotations or registrations do not pair up: a missing {@link Confirm} or {@link Cancel}, parameters that do not match the try, two tries with one action name, or a method that cannot be intercepted. The message names the class, the method and the fix.
 */
public class TccDefinitionException extends TccException {

    private static final long serialVersionUID = 1L;

    public TccDefinitionException(String message) {
        super(message);
    }

    public TccDefinitionException(String message, Throwable cause) {
        super(message, cause);
    }
}

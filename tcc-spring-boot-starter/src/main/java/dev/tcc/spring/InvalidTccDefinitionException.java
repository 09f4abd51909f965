package dev.tcc.spring;

import dev.tcc.api.TccDefinitionException;

/**
 * A {@link TccDefinitionException} found by the starter at start-up, carrying the fix separately
 * so that the failure analysis can show it as the "Action".
 */
public class InvalidTccDefinitionException extends TccDefinitionException {

    private static final long serialVersionUID = 1L;

    private final String action;

    /**
     * @param problem what is wrong, naming the class and the method
     * @param action  what to do about it
     */
    public InvalidTccDefinitionException(String problem, String action) {
        super(problem + ". " + action);
        this.action = action;
    }

    /** What to do about it. */
    public String action() {
        return action;
    }
}

package dev.tcc.spring.http;

/**
 * The endpoints and joined calls of this service would accept calls they cannot authenticate: signing is
 * chosen without a usable key, or Spring Security is chosen but not on the class path. Stops start-up;
 * {@link TccHttpAuthenticationFailureAnalyzer} reports the description and the action.
 */
public class TccHttpAuthenticationException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String action;

    public TccHttpAuthenticationException(String description, String action) {
        super(description);
        this.action = action;
    }

    /** What to do about it. */
    public String action() {
        return action;
    }
}

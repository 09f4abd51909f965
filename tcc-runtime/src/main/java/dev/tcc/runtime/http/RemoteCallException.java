package dev.tcc.runtime.http;

/**
 * A call to another service's endpoint of the protocol did not do its job: it got no answer (connect or read
 * timeout, connection reset), or an answer that does not say the work is done (a 401, a 5xx, an unauthenticated or
 * unreadable answer). Nothing is known to have changed there; the call may be repeated (phase two retries it, hold
 * expiry asks again). The message carries the status and the start of the answer's body.
 */
public class RemoteCallException extends Exception {

    private static final long serialVersionUID = 1L;

    /** {@link #status()} when no answer arrived. */
    public static final int NO_ANSWER = -1;

    private final int status;

    public RemoteCallException(String message, int status, Throwable cause) {
        super(message, cause);
        this.status = status;
    }

    /** The answer's HTTP status, or {@link #NO_ANSWER}. */
    public int status() {
        return status;
    }
}

package dev.tcc.runtime.http;

/**
 * A request or answer of the cross-service protocol was not authenticated: no signature, a malformed one,
 * an unknown key id, a timestamp outside the allowed skew, or a signature that does not match. The message
 * says which, never a secret. Endpoints answer it with 401 and change nothing.
 */
public class AuthenticationFailedException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public AuthenticationFailedException(String message) {
        super(message);
    }
}

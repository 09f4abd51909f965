package dev.tcc.sample.booking.remote;

/** A participant service did not answer (connection refused, timed out or reset): nothing is known of its side. */
public class ServiceUnreachableException extends RuntimeException {

    public ServiceUnreachableException(String message, Throwable cause) {
        super(message, cause);
    }
}

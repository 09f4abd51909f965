package dev.tcc.api;

/**
 * Thrown when a try argument or result cannot be stored as JSON, or a stored value cannot be decoded into the declared type. For an argument it is thrown before the try body runs, and the message names the parameter.
 */
public class ArgumentEncodingException extends TccException {

    private static final long serialVersionUID = 1L;

    public ArgumentEncodingException(String message) {
        super(message);
    }

    public ArgumentEncodingException(String message, Throwable cause) {
        super(message, cause);
    }
}

package dev.tcc.sample.booking;

/** The Idempotency-Key was used for another request, or its first request is still running. Answered with 409. */
public class IdempotencyConflictException extends RuntimeException {

    private final String bookingId;

    public IdempotencyConflictException(String message, String bookingId) {
        super(message);
        this.bookingId = bookingId;
    }

    public String bookingId() {
        return bookingId;
    }
}

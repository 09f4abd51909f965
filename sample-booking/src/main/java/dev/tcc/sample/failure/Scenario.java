package dev.tcc.sample.failure;

/** What {@code POST /bookings} should let go wrong, so that every compensation path can be watched. */
public enum Scenario {
    /** Nothing goes wrong: every hold is confirmed. */
    NONE,
    /** The payment service declines the card: the seats and rooms already held are released. */
    PAYMENT_DECLINED,
    /**
     * The hotel's try takes longer than the flight's hold: the flight service expires its hold by
     * itself (asking the coordinator, which records the cancel), and the booking is cancelled.
     */
    HOTEL_SLOW,
    /**
     * The payment service goes down right after it authorised (for {@code sample.failures.outage}):
     * the booking is decided (confirmed), the payment's confirm fails and is retried with backoff
     * behind a circuit breaker, and recovery finishes it once the service is back.
     */
    PAYMENT_DOWN
}

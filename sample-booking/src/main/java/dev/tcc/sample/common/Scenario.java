package dev.tcc.sample.common;

/** What {@code POST /bookings} should let go wrong, so that every compensation path can be watched. */
public enum Scenario {
    /** Nothing goes wrong: every hold is confirmed. */
    NONE,
    /** The payments service declines the card: the seats and rooms already held are released. */
    PAYMENT_DECLINED,
    /**
     * The hotels service's try takes longer than the flight's hold: the flights service expires its hold
     * by itself (asking the booking service's coordinator endpoint, which records the cancel), and the
     * booking is cancelled.
     */
    HOTEL_SLOW,
    /**
     * The payments service goes down right after it authorised (for {@code sample.failures.outage}: its
     * application is closed, so its port refuses connections, and started again afterwards): the booking
     * is decided (confirmed), the payment's confirm fails and is retried with backoff behind a circuit
     * breaker, and recovery finishes it once the service is back.
     */
    PAYMENT_DOWN
}

package dev.tcc.sample.booking;

/** Outcome of a booking. */
public enum BookingStatus {
    /** The booking is running (its holds are being taken). */
    PENDING,
    /** The confirm decision is durable: every hold is (or will be, by recovery) made final. */
    CONFIRMED,
    /** The booking was refused or cancelled: every hold taken is released. */
    CANCELLED
}

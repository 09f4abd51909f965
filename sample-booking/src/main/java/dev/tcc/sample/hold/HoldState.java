package dev.tcc.sample.hold;

/** States of a hold row. */
public enum HoldState {
    /** Reserved by a try; expires unless confirmed. */
    PENDING,
    /** Made final by a confirm. */
    CONFIRMED,
    /** Given back by a cancel or by expiry. */
    RELEASED
}

package dev.tcc.api;

/** The phase a branch method runs in. */
public enum Phase {
    /** The reservation: a hold is created. */
    TRY,
    /** The hold is made final. */
    CONFIRM,
    /** The hold is released. */
    CANCEL
}

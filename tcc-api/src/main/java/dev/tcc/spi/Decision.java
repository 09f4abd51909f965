package dev.tcc.spi;

/** The outcome the coordinator decided for a global transaction, as a participant sees it. */
public enum Decision {
    /** Every branch is to be confirmed. */
    CONFIRM,
    /** Every branch is to be cancelled. */
    CANCEL,
    /** No decision yet: the initiator is still running. */
    UNDECIDED
}

package dev.tcc.api.operations;

import java.util.EnumSet;
import java.util.Set;

/**
 * States of a global transaction, stored by {@link #code()} (never by ordinal). Every change is
 * a conditional update from one of the states {@link #canBecome(TransactionState) allowed}
 * before it, so two deciders for one xid cannot both win.
 */
public enum TransactionState {
    /** Tries are running; nothing is decided. */
    TRYING,
    /** Confirm decided and durable; phase two is confirming the branches. */
    CONFIRMING,
    /** Every branch confirmed. */
    CONFIRMED,
    /** Cancel decided and durable; phase two is cancelling the branches. */
    CANCELLING,
    /** Every tried branch cancelled. */
    CANCELLED,
    /** Phase two gave up after its retry budget: a dead letter, retryable by an operator. */
    FAILED,
    /** A confirm was refused because a participant had already expired its hold. */
    HEURISTIC;

    /** Code stored in the {@code state} column. */
    public String code() {
        return name();
    }

    /** Parses a stored code. */
    public static TransactionState ofCode(String code) {
        return valueOf(code);
    }

    /** Whether the transaction has reached a state that recovery does not drive any further. */
    public boolean isFinal() {
        return this == CONFIRMED || this == CANCELLED || this == FAILED || this == HEURISTIC;
    }

    /** Whether a transition from this state to {@code next} is legal. */
    public boolean canBecome(TransactionState next) {
        return successors().contains(next);
    }

    private Set<TransactionState> successors() {
        return switch (this) {
            case TRYING -> EnumSet.of(CONFIRMING, CANCELLING, CANCELLED);
            case CONFIRMING -> EnumSet.of(CONFIRMED, FAILED, HEURISTIC);
            case CANCELLING -> EnumSet.of(CANCELLED, FAILED);
            case FAILED -> EnumSet.of(CONFIRMING, CANCELLING, CONFIRMED, CANCELLED);
            case CONFIRMED, CANCELLED, HEURISTIC -> EnumSet.noneOf(TransactionState.class);
        };
    }
}

package dev.tcc.api.operations;

import dev.tcc.api.TransactionLogException;
import java.util.EnumSet;
import java.util.Set;

/**
 * States of a global transaction, stored by {@link #code()}: an explicit literal per state, so
 * renaming a constant never changes stored data (and never the ordinal). Every change is a
 * conditional update from one of the states {@link #canBecome(TransactionState) allowed} before it,
 * so two deciders for one xid cannot both win.
 *
 * <pre>
 * TRYING     -> CONFIRMING, CANCELLING, CANCELLED
 * CONFIRMING -> CONFIRMED, FAILED, HEURISTIC
 * CANCELLING -> CANCELLED, FAILED
 * FAILED     -> CONFIRMING, CANCELLING (an operator's retry), CONFIRMED, CANCELLED, HEURISTIC (an operator's force-finish)
 * CONFIRMED, CANCELLED, HEURISTIC -> nothing
 * </pre>
 */
public enum TransactionState {
    /** Tries are running; nothing is decided. */
    TRYING("TRYING"),
    /** Confirm decided and durable; phase two is confirming the branches. */
    CONFIRMING("CONFIRMING"),
    /** Every branch confirmed. */
    CONFIRMED("CONFIRMED"),
    /** Cancel decided and durable; phase two is cancelling the branches. */
    CANCELLING("CANCELLING"),
    /** Every tried branch cancelled. */
    CANCELLED("CANCELLED"),
    /** Phase two gave up after its retry budget: a dead letter, retryable by an operator. */
    FAILED("FAILED"),
    /** A confirm was refused because a participant had already expired its hold. */
    HEURISTIC("HEURISTIC");

    private final String code;

    TransactionState(String code) {
        this.code = code;
    }

    /** Code stored in the {@code state} column; fixed, whatever the constant is called. */
    public String code() {
        return code;
    }

    /**
     * Parses a stored code.
     *
     * @throws TransactionLogException when no state has this code (a row written by another version or by hand)
     */
    public static TransactionState fromCode(String code) {
        for (TransactionState state : values()) {
            if (state.code.equals(code)) {
                return state;
            }
        }
        throw new TransactionLogException("Unknown transaction state code [" + code + "] in the transaction log: "
                + "expected one of " + EnumSet.allOf(TransactionState.class) + "; correct the row or run a version that knows the code");
    }

    /** Whether the transaction has reached a state that recovery does not drive any further. */
    public boolean isFinal() {
        return this == CONFIRMED || this == CANCELLED || this == FAILED || this == HEURISTIC;
    }

    /** Whether a transition from this state to {@code next} is legal. */
    public boolean canBecome(TransactionState next) {
        return successors().contains(next);
    }

    /** The states this one may legally become (the table in the class comment). */
    public Set<TransactionState> successors() {
        return switch (this) {
            case TRYING -> EnumSet.of(CONFIRMING, CANCELLING, CANCELLED);
            case CONFIRMING -> EnumSet.of(CONFIRMED, FAILED, HEURISTIC);
            case CANCELLING -> EnumSet.of(CANCELLED, FAILED);
            case FAILED -> EnumSet.of(CONFIRMING, CANCELLING, CONFIRMED, CANCELLED, HEURISTIC);
            case CONFIRMED, CANCELLED, HEURISTIC -> EnumSet.noneOf(TransactionState.class);
        };
    }
}

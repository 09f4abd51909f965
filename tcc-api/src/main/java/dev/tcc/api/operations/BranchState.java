package dev.tcc.api.operations;

import dev.tcc.api.TransactionLogException;
import java.util.EnumSet;

/**
 * States of a branch, stored by {@link #code()} (an explicit literal per state, never the name or
 * the ordinal): in the coordinator's branch table and in the participant's barrier table (which
 * only uses {@link #TRIED}, {@link #CONFIRMED} and {@link #CANCELLED}).
 */
public enum BranchState {
    /** The try committed; the hold is pending. */
    TRIED("TRIED"),
    /** The hold was made final. */
    CONFIRMED("CONFIRMED"),
    /** The hold was released (or never taken: an empty cancel). */
    CANCELLED("CANCELLED"),
    /** The participant refused the confirm because the hold had already been cancelled. */
    REFUSED("REFUSED");

    private final String code;

    BranchState(String code) {
        this.code = code;
    }

    /** Code stored in the {@code state} columns; fixed, whatever the constant is called. */
    public String code() {
        return code;
    }

    /**
     * Parses a stored code.
     *
     * @throws TransactionLogException when no state has this code (a row written by another version or by hand)
     */
    public static BranchState fromCode(String code) {
        for (BranchState state : values()) {
            if (state.code.equals(code)) {
                return state;
            }
        }
        throw new TransactionLogException("Unknown branch state code [" + code + "] in a TCC table: expected one of "
                + EnumSet.allOf(BranchState.class) + "; correct the row or run a version that knows the code");
    }
}

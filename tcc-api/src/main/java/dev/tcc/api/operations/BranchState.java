package dev.tcc.api.operations;

/**
 * States of a branch, stored by {@link #code()}: in the coordinator's branch table and in the
 * participant's barrier table (which only uses {@link #TRIED}, {@link #CONFIRMED} and
 * {@link #CANCELLED}).
 */
public enum BranchState {
    /** The try committed; the hold is pending. */
    TRIED,
    /** The hold was made final. */
    CONFIRMED,
    /** The hold was released (or never taken: an empty cancel). */
    CANCELLED,
    /** The participant refused the confirm because the hold had already been cancelled. */
    REFUSED;

    public String code() {
        return name();
    }

    public static BranchState ofCode(String code) {
        return valueOf(code);
    }
}

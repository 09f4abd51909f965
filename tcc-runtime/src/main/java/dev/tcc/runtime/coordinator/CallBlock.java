package dev.tcc.runtime.coordinator;

/**
 * The ids an outbound call took: {@code own} is recorded for the call itself should its answer be lost,
 * {@link #rangeFirst()}-{@code lastId} is the range the called service gets.
 */
public record CallBlock(int own, int lastId) {

    /** First id of the range sent to the called service. */
    public int rangeFirst() {
        return own + 1;
    }

    /** The range sent, {@code first-last}. */
    public String range() {
        return rangeFirst() + "-" + lastId;
    }

    /** Whether the called service may have used {@code branchId}. */
    public boolean contains(int branchId) {
        return branchId >= rangeFirst() && branchId <= lastId;
    }
}

package dev.tcc.runtime.coordinator;

import dev.tcc.api.TryRefusedException;

/**
 * The branch ids one service may assign in a transaction, a range {@code first-last} (docs/protocol.md,
 * "Branch ids"): local tries take ids from the bottom, each outbound call a block of
 * {@code (last - first + 1) / 256} ids from the top. The block's first id is the call's own; the called
 * service gets the rest as its range. So ids stay unique across services and nesting.
 */
final class BranchIds {

    /** How many blocks a range is cut into for calls. */
    static final int BLOCKS = 256;

    private final String xid;
    private final int first;
    private final int last;
    private final long blockSize;
    private long nextLocal;
    private int calls;

    BranchIds(String xid, int first, int last) {
        if (first < 1 || last < first) {
            throw new IllegalArgumentException("A branch id range must be 1 <= first <= last, got " + first + "-" + last);
        }
        this.xid = xid;
        this.first = first;
        this.last = last;
        this.blockSize = ((long) last - first + 1) / BLOCKS;
        this.nextLocal = first;
    }

    /** The whole range this service was given. */
    int first() {
        return first;
    }

    int last() {
        return last;
    }

    /** The id of the next local try. */
    synchronized int nextLocal() {
        if (nextLocal > lowestTaken() - 1) {
            throw exhausted("a try");
        }
        return (int) nextLocal++;
    }

    /** The block of the next outbound call: {@code [0]} is the call's own id, {@code [1]-[2]} the range sent. */
    synchronized CallBlock nextCall() {
        long start = lowestTaken() - blockSize;
        if (blockSize < 2 || start < nextLocal) {
            throw exhausted("a call to another service");
        }
        calls++;
        return new CallBlock((int) start, (int) (start + blockSize - 1));
    }

    /** One past the highest id local tries may take: the lowest id given to a call so far. */
    private long lowestTaken() {
        return (long) last + 1 - (long) calls * blockSize;
    }

    private TryRefusedException exhausted(String what) {
        return new TryRefusedException("The branch id space of transaction [" + xid + "] in this service (" + first + "-"
                + last + ") is exhausted, so " + what + " was refused and nothing changed. A range allows " + (BLOCKS - 1)
                + " calls to other services and nesting four services deep (docs/protocol.md, \"Branch ids\"): make fewer"
                + " calls per transaction or nest less deeply");
    }
}

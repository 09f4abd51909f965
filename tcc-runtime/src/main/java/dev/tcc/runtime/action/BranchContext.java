package dev.tcc.runtime.action;

import dev.tcc.api.Phase;
import dev.tcc.api.TccContext;
import dev.tcc.runtime.codec.JsonCodec;
import java.time.Instant;

/** The {@link TccContext} handed to a branch body; the try result is decoded only when asked for. */
final class BranchContext implements TccContext {

    private final String xid;
    private final int branchId;
    private final String action;
    private final Phase phase;
    private final Instant holdDeadline;
    private final int attempt;
    private final String resultJson;
    private final JsonCodec codec;

    BranchContext(String xid, int branchId, String action, Phase phase, Instant holdDeadline, int attempt,
                  String resultJson, JsonCodec codec) {
        this.xid = xid;
        this.branchId = branchId;
        this.action = action;
        this.phase = phase;
        this.holdDeadline = holdDeadline;
        this.attempt = attempt;
        this.resultJson = resultJson;
        this.codec = codec;
    }

    @Override
    public String xid() {
        return xid;
    }

    @Override
    public int branchId() {
        return branchId;
    }

    @Override
    public String action() {
        return action;
    }

    @Override
    public Phase phase() {
        return phase;
    }

    @Override
    public Instant holdDeadline() {
        return holdDeadline;
    }

    @Override
    public String idempotencyKey() {
        return xid + ":" + branchId;
    }

    @Override
    public <T> T tryResult(Class<T> type) {
        return codec.decodeValue("'" + action + "'", type, resultJson);
    }

    @Override
    public int attempt() {
        return attempt;
    }

    @Override
    public String toString() {
        return phase + " of branch " + branchId + " ('" + action + "') of [" + xid + "]";
    }
}

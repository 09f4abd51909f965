package dev.tcc.runtime.http;

/** Names of the headers of the cross-service protocol (see docs/protocol.md). No underscores: proxies drop those. */
public final class TccHeaders {

    /** Request: the global transaction id. */
    public static final String XID = "Tcc-Xid";
    /** Request: the branch ids the participant may assign, {@code first-last}. */
    public static final String BRANCH_RANGE = "Tcc-Branch-Range";
    /** Request: the transaction's timeout, an ISO-8601 instant. */
    public static final String TIMEOUT = "Tcc-Timeout";
    /** Request: absolute URL of the initiator's coordinator endpoint. */
    public static final String COORDINATOR = "Tcc-Coordinator";
    /** Request and answer: the HMAC signature. */
    public static final String SIGNATURE = "Tcc-Signature";
    /** Answer: one branch the participant (or a service it called) recorded; repeated. */
    public static final String BRANCH = "Tcc-Branch";
    /** Answer: the participant marked the transaction cancel-only; the value is the reason. */
    public static final String CANCEL_ONLY = "Tcc-Cancel-Only";

    private TccHeaders() {
    }
}

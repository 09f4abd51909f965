package dev.tcc.runtime.http;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;

/**
 * What a signature covers (docs/protocol.md, "Signatures"): the lines of the signed string but the
 * timestamp, with the body as bytes (the signer digests it). The static factories build it for each
 * signed message of the protocol, so sender and receiver cannot disagree on what goes in.
 *
 * @param method upper-case HTTP method, or {@code RESPONSE} for a signed answer
 * @param path   raw path with the raw query, if any
 * @param xid    global transaction id
 * @param branch branch id, range {@code first-last}, {@code -} when none; for an answer, the request's {@code sig}
 * @param phase  TRY, CONFIRM, CANCEL, DECISION or REGISTER
 * @param body   the bytes digested (never null; empty when there is no body)
 */
public record Signed(String method, String path, String xid, String branch, String phase, byte[] body) {

    /** {@code method} of a signed answer. */
    public static final String RESPONSE = "RESPONSE";
    /** {@code branch} of a message about no branch. */
    public static final String NO_BRANCH = "-";

    public Signed {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(xid, "xid");
        Objects.requireNonNull(branch, "branch");
        Objects.requireNonNull(phase, "phase");
        body = body == null ? new byte[0] : body;
    }

    /**
     * A call that carries a transaction's context (phase {@code TRY}): {@code Tcc-Timeout} and {@code Tcc-Coordinator}
     * are covered through the body digest, whose input is {@code <timeout>\n<coordinator>\n} followed by the body.
     *
     * @param method      the request's method
     * @param path        raw path with the raw query
     * @param xid         the {@code Tcc-Xid} value
     * @param host        the service called, {@code host[:port]} as in the {@code Host} header (lower case, no default port)
     * @param range       the {@code Tcc-Branch-Range} value, {@code first-last}
     * @param timeout     the {@code Tcc-Timeout} value exactly as sent (an ISO-8601 instant)
     * @param coordinator the {@code Tcc-Coordinator} value exactly as sent
     * @param body        the request body, null or empty when none
     */
    public static Signed tryCall(String method, String host, String path, String xid, String range, String timeout,
                                 String coordinator, byte[] body) {
        byte[] head = (host(host) + "\n" + timeout + "\n" + coordinator + "\n").getBytes(StandardCharsets.UTF_8);
        byte[] tail = body == null ? new byte[0] : body;
        byte[] all = new byte[head.length + tail.length];
        System.arraycopy(head, 0, all, 0, head.length);
        System.arraycopy(tail, 0, all, head.length, tail.length);
        return new Signed(method, path, xid, range, "TRY", all);
    }

    /**
     * The registration headers of an answer (phase {@code REGISTER}, method {@code RESPONSE}): the digest input is
     * each {@code Tcc-Branch} value followed by {@code \n}, in order, then, only when {@code Tcc-Cancel-Only} is present,
     * {@code Tcc-Cancel-Only: <value>\n} (a branch value starts with its id, so the two cannot be confused).
     *
     * @param requestSig   the {@code sig} of the request answered ({@link Signer#sigOf})
     * @param path         the request's raw path with the raw query
     * @param xid          the request's xid
     * @param branchValues the {@code Tcc-Branch} values in order, empty when none
     * @param cancelOnly   the {@code Tcc-Cancel-Only} value, null when absent
     */
    public static Signed registration(String requestSig, String path, String xid, List<String> branchValues, String cancelOnly) {
        StringBuilder input = new StringBuilder();
        for (String value : branchValues) {
            input.append(value).append('\n');
        }
        if (cancelOnly != null) {
            input.append(TccHeaders.CANCEL_ONLY).append(": ").append(cancelOnly).append('\n');
        }
        return new Signed(RESPONSE, path, xid, requestSig, "REGISTER", input.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** A confirm or cancel sent to a participant endpoint: {@code POST}, empty body, {@code branch} = the id or range segment. */
    public static Signed phaseCall(String path, String xid, String branchSegment, String phase) {
        return new Signed("POST", path, xid, branchSegment, phase.toUpperCase(java.util.Locale.ROOT), new byte[0]);
    }

    /** A decision question to a coordinator endpoint: {@code POST}, empty body, phase {@code DECISION}. */
    public static Signed decisionQuestion(String path, String xid, String branchSegment) {
        return new Signed("POST", path, xid, branchSegment, "DECISION", new byte[0]);
    }

    /** The coordinator's answer to a decision question: method {@code RESPONSE}, phase {@code DECISION}, its body. */
    public static Signed decisionAnswer(String requestSig, String path, String xid, byte[] body) {
        return new Signed(RESPONSE, path, xid, requestSig, "DECISION", body);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Signed s && method.equals(s.method) && path.equals(s.path) && xid.equals(s.xid)
                && branch.equals(s.branch) && phase.equals(s.phase) && java.util.Arrays.equals(body, s.body);
    }

    @Override
    public int hashCode() {
        return Objects.hash(method, path, xid, branch, phase, java.util.Arrays.hashCode(body));
    }

    @Override
    public String toString() {
        return "Signed[" + method + " " + path + " xid=" + xid + " branch=" + branch + " phase=" + phase + " body="
                + body.length + " bytes]";
    }

    /** The same with another method (a receiver signs what it received). */
    public Signed withMethod(String newMethod) {
        return new Signed(newMethod, path, xid, branch, phase, body);
    }

    /** A {@code Host} value as signed: lower case, without the scheme's default port (80, 443), null as empty. */
    static String host(String host) {
        if (host == null) {
            return "";
        }
        String h = host.strip().toLowerCase(java.util.Locale.ROOT);
        return h.endsWith(":80") || h.endsWith(":443") ? h.substring(0, h.lastIndexOf(':')) : h;
    }
}

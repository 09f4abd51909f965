package dev.tcc.runtime.http;

/**
 * The participant endpoint's logic (docs/protocol.md, "Participant endpoint"), for a web framework to
 * expose: confirms or cancels this service's branches of an xid through their barrier, idempotently.
 */
public interface ParticipantEndpoint {

    /**
     * Handles one request.
     *
     * @param method    HTTP method as received
     * @param path      raw path with raw query as received (what the caller signed)
     * @param xid       the {xid} path segment
     * @param branch    the {branchId} or {first}-{last} path segment
     * @param phase     the last path segment: confirm or cancel
     * @param action    the action query parameter, null when absent
     * @param signature the Tcc-Signature header, null when absent
     * @param body      the request body, empty when none
     */
    EndpointAnswer handle(String method, String path, String xid, String branch, String phase, String action,
                          String signature, byte[] body);

    /**
     * Handles one batch, {@code POST {base}/batch/{phase}} (docs/protocol.md, "Batches"): each line of the body names
     * a branch ({@code <xid> <branchId> <action>}, the action percent-encoded); the answer is 200 with one status per
     * line, in order, each what the single call for that branch would have answered.
     *
     * @param method    HTTP method as received
     * @param path      raw path with raw query as received
     * @param phase     the last path segment: confirm or cancel
     * @param signature the Tcc-Signature header, null when absent
     * @param body      the request body
     */
    EndpointAnswer handleBatch(String method, String path, String phase, String signature, byte[] body);
}

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
}

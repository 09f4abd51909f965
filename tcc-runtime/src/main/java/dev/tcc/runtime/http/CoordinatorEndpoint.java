package dev.tcc.runtime.http;

/**
 * The coordinator endpoint's logic (docs/protocol.md, "Coordinator endpoint"): answers a participant's
 * decision question for one branch by the ask-and-fence rule, with a signed answer.
 */
public interface CoordinatorEndpoint {

    /**
     * Handles one {@code POST {base}/{xid}/{branchId}/decision}.
     *
     * @param method    HTTP method as received
     * @param path      raw path with raw query as received
     * @param xid       the {xid} path segment
     * @param branch    the {branchId} path segment
     * @param signature the Tcc-Signature header, null when absent
     * @param body      the request body, empty when none
     */
    EndpointAnswer handle(String method, String path, String xid, String branch, String signature, byte[] body);
}

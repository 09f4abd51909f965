package dev.tcc.runtime.http;

/**
 * What a signature covers (docs/protocol.md, "Signatures"): the lines of the signed string but the
 * timestamp, with the body as bytes (the signer digests it).
 *
 * @param method upper-case HTTP method, or {@code RESPONSE} for a signed answer
 * @param path   raw path with the raw query, if any
 * @param xid    global transaction id
 * @param branch branch id, range {@code first-last}, {@code -} when none; for an answer, the request's {@code sig}
 * @param phase  TRY, CONFIRM, CANCEL, DECISION or REGISTER
 * @param body   the bytes digested (never null; empty when there is no body)
 */
public record Signed(String method, String path, String xid, String branch, String phase, byte[] body) {
}

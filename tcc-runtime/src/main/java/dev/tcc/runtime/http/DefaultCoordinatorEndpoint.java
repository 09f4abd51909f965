package dev.tcc.runtime.http;

import dev.tcc.spi.Decision;
import dev.tcc.spi.DecisionSource;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The coordinator endpoint's logic (docs/protocol.md, "Coordinator endpoint"): verifies the question (401), checks
 * its form (400), asks the local log by the ask-and-fence rule ({@link DecisionSource#decideCancelUnlessConfirmed})
 * and answers {@code 200 {"decision":"CONFIRM"|"CANCEL"}}, signed over the question's {@code sig} when signing is on.
 * Any failure to decide answers 503: the participant asks again.
 */
public final class DefaultCoordinatorEndpoint implements CoordinatorEndpoint {

    private static final Logger log = LoggerFactory.getLogger(DefaultCoordinatorEndpoint.class);

    private final Signer signer;
    private final DecisionSource local;

    /**
     * @param signer verifies questions and signs answers; null when they are not signed
     * @param local  the decisions of this service's own log
     * @param clock  unused beyond the signer's; kept for symmetry with the participant endpoint
     */
    public DefaultCoordinatorEndpoint(Signer signer, DecisionSource local, Clock clock) {
        this.signer = signer;
        this.local = Objects.requireNonNull(local, "local");
        Objects.requireNonNull(clock, "clock");
    }

    @Override
    public EndpointAnswer handle(String method, String path, String xid, String branch, String signature, byte[] body) {
        if (signer != null) {
            try {
                signer.verify(new Signed(EndpointRequests.orEmpty(method), EndpointRequests.orEmpty(path),
                        EndpointRequests.orEmpty(xid), EndpointRequests.orEmpty(branch), "DECISION", body), signature);
            } catch (AuthenticationFailedException e) {
                log.warn("TCC coordinator endpoint refused {} {}: {}", method, path, e.getMessage());
                return EndpointAnswers.of(401, xid, branch, null, EndpointAnswers.NOT_AUTHENTICATED);
            }
        }
        if (!"POST".equalsIgnoreCase(method)) {
            return EndpointAnswers.of(405, xid, branch, null, "The coordinator endpoint takes POST only, not " + method);
        }
        if (xid == null || !EndpointRequests.XID.matcher(xid).matches()) {
            return EndpointAnswers.of(400, xid, branch, null, "The xid must be 1 to 64 of A-Z a-z 0-9 . _ : -");
        }
        int id = EndpointRequests.branchId(branch);
        if (id < 0) {
            return EndpointAnswers.of(400, xid, branch, null, "The branch segment must be a positive branch id");
        }
        Decision decision;
        try {
            decision = local.decideCancelUnlessConfirmed(xid, id);
        } catch (Exception e) {
            log.warn("TCC coordinator endpoint could not decide branch {} of [{}]; the participant asks again", id, xid, e);
            return EndpointAnswers.of(503, xid, branch, null, "No decision now, ask again later: " + EndpointAnswers.messageOf(e));
        }
        if (decision != Decision.CONFIRM && decision != Decision.CANCEL) {
            return EndpointAnswers.of(503, xid, branch, null, "No decision now, ask again later: the log answered " + decision);
        }
        String answer = "{\"decision\":\"" + decision.name() + "\"}";
        Map<String, String> headers = signer == null ? Map.of() : Map.of(TccHeaders.SIGNATURE, signer.sign(
                Signed.decisionAnswer(Signer.sigOf(signature), path, xid, answer.getBytes(StandardCharsets.UTF_8))));
        return EndpointAnswers.json(200, headers, answer);
    }
}

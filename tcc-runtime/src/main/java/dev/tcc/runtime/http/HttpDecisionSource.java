package dev.tcc.runtime.http;

import dev.tcc.spi.CoordinatorUnreachableException;
import dev.tcc.spi.Decision;
import dev.tcc.spi.DecisionSource;
import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpConnectTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A remote coordinator endpoint (docs/protocol.md, "Coordinator endpoint") as a {@link DecisionSource}, for the
 * holds of transactions begun by another service.
 *
 * <p>{@link #decideCancelUnlessConfirmed} asks {@code POST {coordinatorUrl}/{xid}/{branchId}/decision}; with signing
 * on, an answer is trusted only with a valid signature (phase {@code DECISION}) naming the question's. When no
 * connection can be opened (refused, connect timeout, unknown host) or the socket fails before any answer, it throws
 * {@link CoordinatorUnreachableException}; any other failure, or an answer other than a valid {@code 200}, is a
 * {@link RemoteCallException}: ask again later.
 *
 * <p>{@link #read} always answers {@link Decision#UNDECIDED}: asking the coordinator is not read-only (an undecided
 * transaction gets a cancel recorded), so a remote participant learns decisions only by asking, when a hold runs out.
 */
public final class HttpDecisionSource implements DecisionSource {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final String coordinatorUrl;
    private final HttpProtocolClient client;

    HttpDecisionSource(String coordinatorUrl, HttpProtocolClient client) {
        this.coordinatorUrl = coordinatorUrl;
        this.client = client;
    }

    /** Always {@link Decision#UNDECIDED}: the coordinator has no read-only question (see the class comment). */
    @Override
    public Decision read(String xid) {
        return Decision.UNDECIDED;
    }

    @Override
    public Decision decideCancelUnlessConfirmed(String xid, int branchId) throws Exception {
        String segment = String.valueOf(branchId);
        URI uri;
        HttpProtocolClient.Answer answer;
        try {
            uri = HttpProtocolClient.uri(coordinatorUrl, null, xid, segment, "decision");
            if (uri.getHost() == null) {
                throw new IllegalArgumentException("no host");
            }
            answer = client.post(uri, Signed.decisionQuestion(HttpProtocolClient.signedPath(uri), xid, segment));
        } catch (IllegalArgumentException unusable) {
            // no question can ever reach it: the same as a coordinator that is not there
            throw new CoordinatorUnreachableException("The coordinator URL " + coordinatorUrl + " cannot be used for a"
                    + " question about branch " + branchId + " of [" + xid + "]: " + unusable.getMessage(), unusable);
        } catch (IOException e) {
            if (unreachable(e)) {
                throw new CoordinatorUnreachableException("The coordinator at " + coordinatorUrl + " cannot be reached to"
                        + " decide branch " + branchId + " of [" + xid + "]: " + e, e);
            }
            throw new RemoteCallException("The decision question for branch " + branchId + " of [" + xid + "] to "
                    + coordinatorUrl + " got no answer (" + e + "); asked again later", RemoteCallException.NO_ANSWER, e);
        }
        if (answer.status() != 200) {
            throw new RemoteCallException("The coordinator at " + coordinatorUrl + " did not decide branch " + branchId
                    + " of [" + xid + "]: " + answer.describe() + "; asked again later", answer.status(), null);
        }
        if (client.signer() != null) {
            try {
                client.signer().verify(Signed.decisionAnswer(Signer.sigOf(answer.requestSignature()), HttpProtocolClient.signedPath(uri), xid,
                        answer.body()), answer.signature());
            } catch (AuthenticationFailedException e) {
                throw new RemoteCallException("The coordinator's answer for branch " + branchId + " of [" + xid + "] from "
                        + coordinatorUrl + " is not authenticated, so it is ignored: " + e.getMessage(), answer.status(), e);
            }
        }
        return decision(answer, xid, branchId);
    }

    private Decision decision(HttpProtocolClient.Answer answer, String xid, int branchId) throws RemoteCallException {
        try {
            JsonNode decision = JSON.readTree(answer.body()).get("decision");
            if (decision != null && decision.isString()) {
                switch (decision.stringValue()) {
                    case "CONFIRM":
                        return Decision.CONFIRM;
                    case "CANCEL":
                        return Decision.CANCEL;
                    default:
                        break;
                }
            }
        } catch (JacksonException e) {
            // reported below
        }
        throw new RemoteCallException("The coordinator at " + coordinatorUrl + " answered branch " + branchId + " of ["
                + xid + "] with no decision of CONFIRM or CANCEL: " + answer.describe() + "; asked again later",
                answer.status(), null);
    }

    /**
     * No connection could be opened: the coordinator is not there. A connection that broke after the question was
     * sent is not this (the coordinator may have decided and answered): that question is asked again.
     */
    private static boolean unreachable(IOException failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof ConnectException || t instanceof HttpConnectTimeoutException || t instanceof UnknownHostException
                    || t instanceof NoRouteToHostException || t instanceof UnresolvedAddressException) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return "HttpDecisionSource[" + coordinatorUrl + "]";
    }
}

package dev.tcc.runtime.http;

import dev.tcc.api.TryRefusedException;
import dev.tcc.runtime.coordinator.CallBlock;
import dev.tcc.runtime.coordinator.GlobalTransaction;
import dev.tcc.spi.BranchReference;
import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The caller's side of the protocol (docs/protocol.md): the context headers of a call made inside a
 * transaction, and the branches its answer registers, or the call's own in-doubt branch when the answer
 * is lost.
 */
public final class OutboundCalls {

    private static final Logger log = LoggerFactory.getLogger(OutboundCalls.class);

    static final String LOST_ADVICE = "A call to another service whose answer is lost or cannot be trusted may have"
            + " tried there, so the transaction cancels; the participant's branches are cancelled through its endpoint";

    private final HttpSettings settings;
    private final Signer signer;
    private final Clock clock;

    /** @param signer signs the calls, null when they are not signed */
    public OutboundCalls(HttpSettings settings, Signer signer, Clock clock) {
        this.settings = settings;
        this.signer = signer;
        this.clock = clock;
    }

    /**
     * Starts a call of {@code tx}.
     *
     * @throws TryRefusedException when the transaction timed out, is already decided, or has no branch ids left:
     *         the call must not be made
     */
    public OutboundCall begin(GlobalTransaction tx, String method, URI uri, byte[] body) {
        if (!clock.instant().isBefore(tx.timeoutAt())) {
            throw new TryRefusedException("The call " + method + " " + uri + " was refused: transaction [" + tx.xid()
                    + "] timed out at " + tx.timeoutAt() + ". Nothing was sent; raise the timeout if the work needs longer");
        }
        if (!tx.beginTry()) {
            throw new TryRefusedException("The call " + method + " " + uri + " was refused: transaction [" + tx.xid()
                    + "] was already decided. Nothing was sent; a call on another thread must finish before the"
                    + " @TccTransactional method returns");
        }
        try {
            return new Call(tx, method, uri, body == null ? new byte[0] : body, tx.nextCallBlock());
        } catch (RuntimeException e) {
            tx.endTry();
            throw e;
        }
    }

    /** The {@code Host} header a client sends for {@code uri}: host, and the port when the URI names one. */
    static String hostOf(URI uri) {
        return uri.getPort() == -1 ? uri.getHost() : uri.getHost() + ":" + uri.getPort();
    }

    static String pathOf(URI uri) {
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        return uri.getRawQuery() == null ? path : path + "?" + uri.getRawQuery();
    }

    private final class Call implements OutboundCall {

        private final GlobalTransaction tx;
        private final URI uri;
        private final CallBlock block;
        private final String path;
        private final Map<String, String> headers = new LinkedHashMap<>();
        private boolean done;

        Call(GlobalTransaction tx, String method, URI uri, byte[] body, CallBlock block) {
            this.tx = tx;
            this.uri = uri;
            this.block = block;
            this.path = pathOf(uri);
            String timeout = tx.timeoutAt().toString();
            String coordinator = tx.coordinator() != null ? tx.coordinator() : settings.coordinatorUrl().get();
            headers.put(TccHeaders.XID, tx.xid());
            headers.put(TccHeaders.BRANCH_RANGE, block.range());
            headers.put(TccHeaders.TIMEOUT, timeout);
            headers.put(TccHeaders.COORDINATOR, coordinator);
            if (signer != null) {
                headers.put(TccHeaders.SIGNATURE, signer.sign(Signed.tryCall(method.toUpperCase(java.util.Locale.ROOT), hostOf(uri), path,
                        tx.xid(), block.range(), timeout, coordinator, body)));
            }
        }

        @Override
        public Map<String, String> requestHeaders() {
            return Map.copyOf(headers);
        }

        @Override
        public synchronized void answered(int status, Function<String, List<String>> responseHeaders) {
            if (done) {
                return;
            }
            done = true;
            try {
                register(status, responseHeaders);
            } catch (RuntimeException untrusted) {
                log.warn("TCC [{}] the answer of {} {} registers branches that cannot be trusted ({}); the call counts as"
                        + " lost and the transaction cancels", tx.xid(), status, uri, untrusted.getMessage());
                recordLost(untrusted);
            } finally {
                tx.endTry();
            }
        }

        private void register(int status, Function<String, List<String>> responseHeaders) {
            // repeated headers may arrive joined with commas (RFC 9110, 5.3); a branch value has none
            List<String> values = RemoteBranch.splitValues(valuesOf(responseHeaders, TccHeaders.BRANCH));
            List<String> cancelOnlyValues = valuesOf(responseHeaders, TccHeaders.CANCEL_ONLY);
            String cancelOnly = cancelOnlyValues.isEmpty() ? null : cancelOnlyValues.get(0);
            if (values.isEmpty() && cancelOnly == null) {
                if (status >= 500) {
                    // a gateway's 502/503/504 (or a server error before any try): the participant may still be trying
                    throw new IllegalArgumentException("HTTP " + status + " without the protocol's registration");
                }
                return; // an ordinary answer: nothing was tried there
            }
            if (signer != null) {
                List<String> signatures = valuesOf(responseHeaders, TccHeaders.SIGNATURE);
                signer.verify(Signed.registration(Signer.sigOf(headers.get(TccHeaders.SIGNATURE)), path, tx.xid(), values,
                        cancelOnly), signatures.isEmpty() ? null : signatures.get(0));
            }
            List<BranchReference> branches = new ArrayList<>(values.size());
            for (String value : values) {
                RemoteBranch branch = RemoteBranch.parse(value);
                if (!block.contains(branch.branchId())) {
                    throw new IllegalArgumentException("branch " + branch.branchId() + " is outside the range " + block.range()
                            + " the call was given");
                }
                String participant = uri.resolve(branch.participantUrl()).toString();
                branches.add(new BranchReference(tx.xid(), branch.branchId(), participant, branch.action(),
                        branch.holdDeadline(), 1));
            }
            branches.forEach(tx::addTried);
            if (cancelOnly != null) {
                tx.markCancelOnly("the call to " + uri + " answered that its service marked the transaction cancel-only ("
                        + cancelOnly + ")", "Let the participant's tries succeed, or let its failure reach the"
                        + " outermost @TccTransactional method", new IllegalStateException("Tcc-Cancel-Only: " + cancelOnly));
            }
        }

        @Override
        public synchronized void lost(Exception failure) {
            if (done) {
                return;
            }
            done = true;
            try {
                recordLost(failure);
            } finally {
                tx.endTry();
            }
        }

        private void recordLost(Exception failure) {
            String participant = uri.resolve(settings.participantPath()).toString();
            Instant hold = tx.timeoutAt();
            tx.addInDoubt(new BranchReference(tx.xid(), block.own(), participant,
                    HttpBranchParticipant.callAction(block.rangeFirst(), block.lastId()), hold, 1));
            tx.markCancelOnly("the answer of the call to " + uri + " was lost [" + failure + "]", LOST_ADVICE, failure);
        }
    }

    private static List<String> valuesOf(Function<String, List<String>> headers, String name) {
        List<String> values = headers.apply(name);
        return values == null ? List.of() : values;
    }
}

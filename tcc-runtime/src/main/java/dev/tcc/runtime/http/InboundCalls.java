package dev.tcc.runtime.http;

import dev.tcc.runtime.coordinator.Coordinator;
import dev.tcc.runtime.coordinator.GlobalTransaction;
import dev.tcc.runtime.coordinator.TransactionContextHolder;
import dev.tcc.runtime.support.Ticker;
import dev.tcc.spi.BranchReference;
import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The participant's side of a call that carries a caller's context (docs/protocol.md): checks the context
 * and its signature, joins the caller's transaction on this thread, and names the branches recorded
 * meanwhile in the answer's headers.
 */
public final class InboundCalls {

    private static final Pattern XID = EndpointRequests.XID;
    private static final Pattern RANGE = Pattern.compile("(\\d{1,10})-(\\d{1,10})");
    private static final int MAX_REASON = 300;
    /** The barrier's {@code coordinator} column holds this many characters. */
    private static final int MAX_COORDINATOR = 500;

    private final HttpSettings settings;
    private final Signer signer;
    private final Clock clock;
    private final Ticker ticker;

    /** @param signer verifies the context and signs the answer, null when calls are not signed */
    public InboundCalls(HttpSettings settings, Signer signer, Clock clock, Ticker ticker) {
        this.settings = settings;
        this.signer = signer;
        this.clock = clock;
        this.ticker = ticker;
    }

    /**
     * Joins the caller's transaction for this request; null when it carries no context.
     *
     * @throws AuthenticationFailedException when signing is on and the context is not authenticated
     * @throws IllegalArgumentException      when a context header is missing or malformed
     */
    public InboundCall join(String method, String path, Function<String, String> header, byte[] body) {
        String xid = header.apply(TccHeaders.XID);
        if (xid == null) {
            return null;
        }
        String range = required(header, TccHeaders.BRANCH_RANGE);
        String timeout = required(header, TccHeaders.TIMEOUT);
        String coordinator = required(header, TccHeaders.COORDINATOR);
        if (!XID.matcher(xid).matches()) {
            throw new IllegalArgumentException(TccHeaders.XID + " must match " + XID.pattern());
        }
        Matcher ids = RANGE.matcher(range);
        long first = ids.matches() ? Long.parseLong(ids.group(1)) : -1;
        long last = ids.matches() ? Long.parseLong(ids.group(2)) : -1;
        if (first < 1 || last < first || last > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(TccHeaders.BRANCH_RANGE + " must be <first>-<last> with 1 <= first <= last <= "
                    + Integer.MAX_VALUE + ", got '" + range + "'");
        }
        Instant timeoutAt;
        try {
            timeoutAt = Instant.parse(timeout);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(TccHeaders.TIMEOUT + " must be an ISO-8601 instant, got '" + timeout + "'");
        }
        URI coordinatorUri;
        try {
            coordinatorUri = URI.create(coordinator);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(TccHeaders.COORDINATOR + " must be an absolute http(s) URL");
        }
        if (!"http".equals(coordinatorUri.getScheme()) && !"https".equals(coordinatorUri.getScheme())
                || coordinatorUri.isOpaque() || coordinatorUri.getHost() == null || coordinatorUri.getRawQuery() != null
                || coordinatorUri.getRawFragment() != null || coordinator.length() > MAX_COORDINATOR) {
            // a URL no question could reach would leave this service's holds waiting for an answer for ever
            throw new IllegalArgumentException(TccHeaders.COORDINATOR + " must be an absolute http(s) URL with a host, no"
                    + " query or fragment, at most " + MAX_COORDINATOR + " characters");
        }
        String requestSignature = header.apply(TccHeaders.SIGNATURE);
        if (signer != null) {
            signer.verify(Signed.tryCall(method.toUpperCase(Locale.ROOT), header.apply("Host"), path, xid, range, timeout,
                    coordinator, body),
                    requestSignature);
        }
        GlobalTransaction tx = GlobalTransaction.joined(xid, clock.instant(), timeoutAt, ticker.nanoTime(), (int) first,
                (int) last, coordinator);
        return new Joined(tx, Coordinator.joinRemote(tx), path, requestSignature);
    }

    private static String required(Function<String, String> header, String name) {
        String value = header.apply(name);
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("A request with " + TccHeaders.XID + " must carry " + name
                    + " too (docs/protocol.md)");
        }
        return value.trim();
    }

    private final class Joined implements InboundCall {

        private final GlobalTransaction tx;
        private final TransactionContextHolder.Scope scope;
        private final String path;
        private final String requestSignature;

        Joined(GlobalTransaction tx, TransactionContextHolder.Scope scope, String path, String requestSignature) {
            this.tx = tx;
            this.scope = scope;
            this.path = path;
            this.requestSignature = requestSignature;
        }

        @Override
        public Map<String, List<String>> responseHeaders() {
            // the answer is leaving: no try may begin from now on, and one still running (on another thread) could not
            // be reported, so the caller must not confirm
            int running = tx.closeForDecision();
            if (running > 0) {
                tx.markCancelOnly(running + " try(s) were still running when the answer left", "Wait for every task that"
                        + " calls a @Try before the handler returns", new IllegalStateException(running
                        + " try(s) still running when the answer left"));
            }
            List<String> branches = new ArrayList<>();
            for (BranchReference branch : tx.branches()) {
                branches.add(new RemoteBranch(branch.branchId(), branch.action(), participantUrl(branch),
                        branch.holdDeadline()).encode());
            }
            String reason = tx.cancelOnlyReason();
            String cancelOnly = reason == null ? null : asHeaderValue(reason);
            Map<String, List<String>> headers = new LinkedHashMap<>();
            if (branches.isEmpty() && cancelOnly == null) {
                return headers;
            }
            if (!branches.isEmpty()) {
                headers.put(TccHeaders.BRANCH, List.copyOf(branches));
            }
            if (cancelOnly != null) {
                headers.put(TccHeaders.CANCEL_ONLY, List.of(cancelOnly));
            }
            if (signer != null) {
                headers.put(TccHeaders.SIGNATURE, List.of(signer.sign(Signed.registration(Signer.sigOf(requestSignature), path,
                        tx.xid(), branches, cancelOnly))));
            }
            return headers;
        }

        /** A remote branch keeps its absolute URL; a local one names this service's participant endpoint. */
        private String participantUrl(BranchReference branch) {
            String participant = branch.participant();
            if (participant.startsWith("http://") || participant.startsWith("https://")) {
                return participant;
            }
            return settings.participantUrl() != null ? settings.participantUrl() : settings.participantPath();
        }

        @Override
        public void close() {
            // the answer has gone: a try that begins later (a task still carrying the context) could not be reported
            tx.closeForDecision();
            scope.close();
        }
    }

    /** Printable ASCII only, without commas' special meaning lost: a header value must survive any proxy. */
    private static String asHeaderValue(String text) {
        StringBuilder value = new StringBuilder(Math.min(text.length(), MAX_REASON));
        for (int i = 0; i < text.length() && value.length() < MAX_REASON; i++) {
            char c = text.charAt(i);
            value.append(c >= 0x20 && c < 0x7f ? c : '?');
        }
        return value.toString().trim();
    }
}

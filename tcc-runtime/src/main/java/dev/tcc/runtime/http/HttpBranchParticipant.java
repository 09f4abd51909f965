package dev.tcc.runtime.http;

import dev.tcc.api.CancelRefusedException;
import dev.tcc.api.ConfirmRefusedException;
import dev.tcc.runtime.coordinator.BatchDelivery;
import dev.tcc.spi.BranchParticipant;
import dev.tcc.spi.BranchReference;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpTimeoutException;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A remote participant endpoint (docs/protocol.md, "Participant endpoint") as a {@link BranchParticipant}: its id
 * is the endpoint's base URL; confirm and cancel are signed {@code POST}s to it.
 *
 * <p>{@code 200} and {@code 208} mean done. A {@code 409} or {@code 404} on a confirm is a
 * {@link ConfirmRefusedException} (the transaction ends {@code HEURISTIC}), a {@code 409} on a cancel a
 * {@link CancelRefusedException}; anything else, or no answer, is a {@link RemoteCallException}, which phase two
 * retries through its retry and circuit breaker. A branch whose action is {@code call <first>-<last>} stands for a
 * call whose answer was lost: its cancel is a range cancel, and it is never confirmed.
 *
 * <p>As a {@link BatchDelivery} it sends many branches of one phase in batch requests from the calling thread (the
 * coordinator's remote batcher); only {@code 200} and {@code 208} lines count as done there, everything else is left
 * to {@link #confirm}/{@link #cancel} with their retries.
 */
public final class HttpBranchParticipant implements BranchParticipant, BatchDelivery {

    /** The action of the branch a caller records for a call whose answer was lost (docs/protocol.md, "Lost answers"). */
    public static final Pattern CALL_ACTION = Pattern.compile("tcc:call ([1-9][0-9]{0,9})-([1-9][0-9]{0,9})");

    private final String baseUrl;
    private final HttpProtocolClient client;

    private final PhaseTwoBatches confirms;
    private final PhaseTwoBatches cancels;

    HttpBranchParticipant(String baseUrl, HttpProtocolClient client, java.time.Duration readTimeout) {
        this.baseUrl = baseUrl;
        this.client = client;
        this.confirms = new PhaseTwoBatches(baseUrl, "confirm", client, readTimeout);
        this.cancels = new PhaseTwoBatches(baseUrl, "cancel", client, readTimeout);
    }

    /** The action name of the in-doubt branch that stands for a lost call with range {@code first-last}. */
    public static String callAction(int first, int last) {
        return "tcc:call " + first + "-" + last; // the tcc: prefix is reserved: no Tcc-Branch may name such an action
    }

    @Override
    public String id() {
        return baseUrl;
    }

    @Override
    public void confirm(BranchReference branch) throws Exception {
        if (CALL_ACTION.matcher(branch.action()).matches()) {
            throw new ConfirmRefusedException("Confirm of branch " + branch.branchId() + " ('" + branch.action() + "') of ["
                    + branch.xid() + "] at " + baseUrl + " was refused: a call whose answer was lost is never confirmed,"
                    + " only cancelled with a range cancel");
        }
        HttpProtocolClient.Answer answer = deliver(confirms, branch, "confirm");
        switch (answer.status()) {
            case 200, 208 -> {
            }
            case 404, 409 -> {
                if (!answer.namesBranch(branch.xid(), String.valueOf(branch.branchId()))) {
                    // not the endpoint's answer (a proxy's, a wrong path): retried, never taken for a refusal
                    throw failed("Confirm", branch, answer);
                }
                throw new ConfirmRefusedException("Confirm of branch " + branch.branchId() + " ('"
                        + branch.action() + "') of [" + branch.xid() + "] was refused by " + baseUrl + ": " + answer.describe());
            }
            default -> throw failed("Confirm", branch, answer);
        }
    }

    @Override
    public void cancel(BranchReference branch) throws Exception {
        Matcher call = CALL_ACTION.matcher(branch.action());
        HttpProtocolClient.Answer answer = call.matches()
                ? send(branch, call.group(1) + "-" + call.group(2), "cancel", null)
                : deliver(cancels, branch, "cancel");
        if (call.matches() && answer.status() == 404) {
            return; // no participant endpoint at that host (an ordinary service): nothing can have been tried there
        }
        switch (answer.status()) {
            case 200, 208 -> {
            }
            case 409 -> throw new CancelRefusedException("Cancel of branch " + branch.branchId() + " ('" + branch.action()
                    + "') of [" + branch.xid() + "] was refused by " + baseUrl + ": " + answer.describe());
            default -> throw failed("Cancel", branch, answer);
        }
    }

    @Override
    public boolean batchable(BranchReference branch, boolean confirming) {
        return !CALL_ACTION.matcher(branch.action()).matches() && (confirming ? confirms : cancels).supported();
    }

    @Override
    public boolean[] deliverAll(List<BranchReference> branches, boolean confirming) throws InterruptedException {
        int[] statuses = (confirming ? confirms : cancels).deliverAll(branches);
        boolean[] done = new boolean[statuses.length];
        for (int i = 0; i < statuses.length; i++) {
            done[i] = statuses[i] == 200 || statuses[i] == 208;
        }
        return done;
    }

    /** In a batch with other deliveries to this endpoint when it has batches, else as a single call. */
    private HttpProtocolClient.Answer deliver(PhaseTwoBatches batches, BranchReference branch, String phase)
            throws RemoteCallException, InterruptedException {
        if (batches.supported()) {
            int status = batches.deliver(branch);
            if (status >= 0) {
                return HttpProtocolClient.Answer.ofBatchLine(status);
            }
        }
        return send(branch, String.valueOf(branch.branchId()), phase, branch.action());
    }

    private HttpProtocolClient.Answer send(BranchReference branch, String segment, String phase, String action)
            throws RemoteCallException, InterruptedException {
        URI uri = HttpProtocolClient.uri(baseUrl, action == null ? null : "action=" + PercentEncoding.unreserved(action),
                branch.xid(), segment, phase);
        try {
            return client.post(uri, Signed.phaseCall(HttpProtocolClient.signedPath(uri), branch.xid(), segment, phase));
        } catch (HttpTimeoutException e) {
            throw new RemoteCallException(phase + " of branch " + branch.branchId() + " of [" + branch.xid() + "] at " + uri
                    + " timed out (" + e.getMessage() + "); it is retried", RemoteCallException.NO_ANSWER, e);
        } catch (IOException e) {
            throw new RemoteCallException(phase + " of branch " + branch.branchId() + " of [" + branch.xid() + "] at " + uri
                    + " got no answer (" + e + "); it is retried", RemoteCallException.NO_ANSWER, e);
        }
    }

    private RemoteCallException failed(String phase, BranchReference branch, HttpProtocolClient.Answer answer) {
        String hint = answer.status() == 401 ? " (not authenticated: check that both services share the signing keys"
                + " and that their clocks agree)" : "";
        return new RemoteCallException(phase + " of branch " + branch.branchId() + " ('" + branch.action() + "') of ["
                + branch.xid() + "] at " + baseUrl + " was not done: " + answer.describe() + hint + "; it is retried",
                answer.status(), null);
    }

    @Override
    public String toString() {
        return "HttpBranchParticipant[" + baseUrl + "]";
    }
}

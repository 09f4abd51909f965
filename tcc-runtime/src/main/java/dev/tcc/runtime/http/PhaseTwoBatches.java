package dev.tcc.runtime.http;

import dev.tcc.spi.BranchReference;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Group delivery of one phase (confirm or cancel) to one participant endpoint: phase-two threads that deliver to the
 * same endpoint at the same time share one batch request (docs/protocol.md, "Batches"), like a group commit. The
 * first thread sends what is queued, then hands the lead to the first one queued meanwhile; nobody waits for a
 * batch to fill, so a lone delivery is sent at once. Each delivery still gets its own status, and every retry,
 * circuit breaker and recovery rule of phase two applies to it as to a single call. {@link #deliverAll} sends a list
 * the caller gathered (the coordinator's remote batcher) from the calling thread, outside that queue.
 */
final class PhaseTwoBatches {

    private static final Logger log = LoggerFactory.getLogger(PhaseTwoBatches.class);

    /** Most deliveries in one batch request. */
    static final int MAX_BATCH = 64;

    private final String baseUrl;
    private final String phase;
    private final HttpProtocolClient client;
    private final Duration wait;
    private final ArrayDeque<Delivery> queue = new ArrayDeque<>();
    private boolean sending;
    /** Set when the endpoint does not know batches (another implementation of the protocol): single calls only. */
    private volatile boolean unsupported;

    PhaseTwoBatches(String baseUrl, String phase, HttpProtocolClient client, Duration readTimeout) {
        this.baseUrl = baseUrl;
        this.phase = phase;
        this.client = client;
        this.wait = readTimeout.multipliedBy(3);
    }

    /** One branch waiting for its status. */
    private static final class Delivery {
        final BranchReference branch;
        int status;
        Exception failure;
        boolean done;
        boolean lead;

        Delivery(BranchReference branch) {
            this.branch = branch;
        }

        synchronized void finish(int newStatus, Exception newFailure) {
            status = newStatus;
            failure = newFailure;
            done = true;
            notifyAll();
        }

        synchronized void promote() {
            lead = true;
            notifyAll();
        }

        /** Waits until done or promoted; false on timeout. */
        synchronized boolean await(long deadlineNanos) throws InterruptedException {
            while (!done && !lead) {
                long left = deadlineNanos - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                wait(Math.max(1, left / 1_000_000));
            }
            return true;
        }
    }

    /**
     * Whether batches may be tried; false once the endpoint answered that it has none, and the caller then sends a
     * single call.
     */
    boolean supported() {
        return !unsupported;
    }

    /**
     * Delivers {@code branch} in a batch and returns its status as the single call would answer it, or -1 when the
     * endpoint has no batches (send a single call then).
     *
     * @throws RemoteCallException when the batch got no answer (it is retried like a single call)
     */
    int deliver(BranchReference branch) throws RemoteCallException, InterruptedException {
        Delivery mine = new Delivery(branch);
        synchronized (this) {
            queue.add(mine);
            if (!sending) {
                sending = true;
                mine.lead = true;
            }
        }
        long deadline = System.nanoTime() + wait.toNanos();
        try {
            while (true) {
                boolean leading;
                synchronized (mine) {
                    leading = mine.lead && !mine.done;
                }
                if (leading) {
                    lead();
                }
                if (!mine.await(deadline)) {
                    abandon(mine);
                    throw new RemoteCallException(phase + " of branch " + branch.branchId() + " of [" + branch.xid() + "] at "
                            + baseUrl + " waited " + wait + " for its batch; it is retried", RemoteCallException.NO_ANSWER, null);
                }
                synchronized (mine) {
                    if (mine.done) {
                        if (mine.failure instanceof RemoteCallException e) {
                            throw e;
                        }
                        return mine.status;
                    }
                }
            }
        } catch (InterruptedException | RuntimeException e) {
            abandon(mine);
            throw e;
        }
    }

    /**
     * A delivery that leaves without its answer (timed out, interrupted): it is taken out of the queue, and if the
     * lead had been passed to it, the lead goes on to the next one (or ends), so later deliveries are never stranded.
     */
    private void abandon(Delivery mine) {
        synchronized (this) {
            queue.remove(mine);
            boolean hadLead;
            synchronized (mine) {
                hadLead = mine.lead && !mine.done;
                mine.done = true; // never led or answered from now on
            }
            if (hadLead) {
                Delivery next = queue.peek();
                if (next == null) {
                    sending = false;
                } else {
                    next.promote();
                }
            }
        }
    }

    /** Sends everything queued, then passes the lead on (or ends it when nothing is queued). */
    private void lead() throws InterruptedException {
        List<Delivery> batch = new ArrayList<>();
        synchronized (this) {
            while (!queue.isEmpty() && batch.size() < MAX_BATCH) {
                batch.add(queue.poll());
            }
        }
        try {
            send(batch);
        } finally {
            synchronized (this) {
                Delivery next = queue.peek();
                if (next == null) {
                    sending = false;
                } else {
                    next.promote();
                }
            }
        }
    }

    private void send(List<Delivery> batch) throws InterruptedException {
        List<BranchReference> branches = new ArrayList<>(batch.size());
        batch.forEach(d -> branches.add(d.branch));
        int[] statuses;
        try {
            statuses = request(branches);
        } catch (RemoteCallException e) {
            failAll(batch, e);
            return;
        }
        for (int i = 0; i < batch.size(); i++) {
            batch.get(i).finish(statuses[i], null);
        }
    }

    /**
     * Delivers {@code branches} from the calling thread, in batch requests of at most {@value #MAX_BATCH} lines, in
     * list order, without waiting for other deliveries. Returns each branch's status as its line answered it;
     * {@link #NOT_IN_A_BATCH} for a branch whose request got no usable answer or went to an endpoint without batches
     * (deliver it alone then).
     */
    int[] deliverAll(List<BranchReference> branches) throws InterruptedException {
        int[] statuses = new int[branches.size()];
        Arrays.fill(statuses, NOT_IN_A_BATCH);
        for (int from = 0; from < branches.size() && !unsupported; from += MAX_BATCH) {
            int to = Math.min(branches.size(), from + MAX_BATCH);
            try {
                int[] answered = request(branches.subList(from, to));
                System.arraycopy(answered, 0, statuses, from, to - from);
            } catch (RemoteCallException e) {
                // no answer, or not the endpoint's: none of these lines is known to be done
                log.debug("TCC {} batch of {} branches at {} was not done; they go one by one: {}", phase, to - from, baseUrl,
                        e.getMessage());
            }
        }
        return statuses;
    }

    /** The status of a branch whose batch request got no usable answer, or went to an endpoint without batches. */
    static final int NOT_IN_A_BATCH = -1;

    /**
     * One batch request: each branch's status as its line answered it, all {@link #NOT_IN_A_BATCH} when the endpoint
     * has no batches (it is then remembered).
     *
     * @throws RemoteCallException when the request got no answer, or one that is not a batch answer
     */
    private int[] request(List<BranchReference> branches) throws RemoteCallException, InterruptedException {
        StringBuilder lines = new StringBuilder();
        for (BranchReference b : branches) {
            lines.append(b.xid()).append(' ').append(b.branchId()).append(' ')
                    .append(PercentEncoding.unreserved(b.action())).append('\n');
        }
        byte[] body = lines.toString().getBytes(StandardCharsets.UTF_8);
        URI uri = HttpProtocolClient.uri(baseUrl, null, "batch", phase);
        HttpProtocolClient.Answer answer;
        try {
            answer = client.post(uri, batchSigned(HttpProtocolClient.signedPath(uri), phase, body), body);
        } catch (HttpTimeoutException e) {
            throw new RemoteCallException(phase + " batch of " + branches.size() + " at " + uri + " timed out ("
                    + e.getMessage() + "); it is retried", RemoteCallException.NO_ANSWER, e);
        } catch (IOException | RuntimeException e) {
            throw new RemoteCallException(phase + " batch of " + branches.size() + " at " + uri + " got no answer ("
                    + e + "); it is retried", RemoteCallException.NO_ANSWER, e);
        }
        int[] statuses = new int[branches.size()];
        if (answer.status() == 404 || answer.status() == 405) {
            unsupported = true;
            Arrays.fill(statuses, NOT_IN_A_BATCH);
            return statuses;
        }
        String[] lineStatuses = new String(answer.body(), StandardCharsets.UTF_8).split("\n");
        if (answer.status() != 200 || lineStatuses.length != branches.size()) {
            throw new RemoteCallException(phase + " batch of " + branches.size() + " at " + uri + " was not done: "
                    + answer.describe() + "; it is retried", answer.status(), null);
        }
        for (int i = 0; i < statuses.length; i++) {
            try {
                statuses[i] = Integer.parseInt(lineStatuses[i].strip());
            } catch (NumberFormatException e) {
                statuses[i] = 502;
            }
        }
        return statuses;
    }

    private static void failAll(List<Delivery> batch, RemoteCallException failure) {
        batch.forEach(d -> d.finish(0, failure));
    }

    /** What a batch request signs: {@code POST}, its path, no xid or branch, the phase, the body. */
    static Signed batchSigned(String path, String phase, byte[] body) {
        return new Signed("POST", path, Signed.NO_BRANCH, Signed.NO_BRANCH, phase.toUpperCase(Locale.ROOT), body);
    }
}

package dev.tcc.runtime.http;

import dev.tcc.api.CancelRefusedException;
import dev.tcc.api.ConfirmRefusedException;
import dev.tcc.api.operations.BranchState;
import dev.tcc.runtime.action.LocalBatch;
import dev.tcc.runtime.action.LocalParticipant;
import dev.tcc.runtime.action.ParticipantDatabase;
import dev.tcc.runtime.barrier.BarrierRow;
import dev.tcc.runtime.barrier.BranchBarrier;
import dev.tcc.spi.BranchReference;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The participant endpoint's logic (docs/protocol.md, "Participant endpoint"): confirms and cancels this service's
 * branches through their barrier rows, so each body runs at most once however often a request is delivered.
 *
 * <p>Order of checks: the signature first (401, nothing read or changed), then the request's form (400), then the
 * action (404). A branch already in the target state answers 208; a confirm of a branch with no try here 404; a
 * refused confirm or cancel 409; a failure (a database down, a body that threw) 503, so the coordinator retries. A
 * range cancel cancels every {@code TRIED} row of the xid in the range, on every participant database, through its
 * action; rows of actions this service does not have (another service sharing the database) are left alone.
 */
public final class DefaultParticipantEndpoint implements ParticipantEndpoint {

    private static final Logger log = LoggerFactory.getLogger(DefaultParticipantEndpoint.class);

    private final Signer signer;
    private final Function<String, LocalParticipant> byAction;
    private final Supplier<? extends Collection<ParticipantDatabase>> databases;
    private final Clock clock;

    /**
     * @param signer    verifies requests; null when they are not signed (the application authenticates them itself)
     * @param byAction  the local participant of an action name, null when there is none
     * @param databases the participant databases (read on every range cancel: actions may register later)
     * @param clock     the hold deadline given to an empty cancel
     */
    public DefaultParticipantEndpoint(Signer signer, Function<String, LocalParticipant> byAction,
                                      Collection<ParticipantDatabase> databases, Clock clock) {
        this(signer, byAction, () -> databases, clock);
    }

    /** As above, with the participant databases asked for on each range cancel. */
    public DefaultParticipantEndpoint(Signer signer, Function<String, LocalParticipant> byAction,
                                      Supplier<? extends Collection<ParticipantDatabase>> databases, Clock clock) {
        this.signer = signer;
        this.byAction = Objects.requireNonNull(byAction, "byAction");
        this.databases = Objects.requireNonNull(databases, "databases");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public EndpointAnswer handle(String method, String path, String xid, String branch, String phase, String action,
                                 String signature, byte[] body) {
        if (signer != null) {
            try {
                signer.verify(new Signed(EndpointRequests.orEmpty(method), EndpointRequests.orEmpty(path),
                        EndpointRequests.orEmpty(xid), EndpointRequests.orEmpty(branch),
                        EndpointRequests.orEmpty(phase).toUpperCase(Locale.ROOT), body), signature);
            } catch (AuthenticationFailedException e) {
                log.warn("TCC participant endpoint refused {} {}: {}", method, path, e.getMessage());
                return EndpointAnswers.of(401, xid, branch, null, EndpointAnswers.NOT_AUTHENTICATED);
            }
        }
        if (!"POST".equalsIgnoreCase(method)) {
            return EndpointAnswers.of(405, xid, branch, null, "The participant endpoint takes POST only, not " + method);
        }
        boolean confirm = "confirm".equalsIgnoreCase(phase);
        if (!confirm && !"cancel".equalsIgnoreCase(phase)) {
            return EndpointAnswers.of(400, xid, branch, null, "The last path segment must be 'confirm' or 'cancel', not '"
                    + phase + "'");
        }
        if (xid == null || !EndpointRequests.XID.matcher(xid).matches()) {
            return EndpointAnswers.of(400, xid, branch, null, "The xid must be 1 to 64 of A-Z a-z 0-9 . _ : -");
        }
        int id = EndpointRequests.branchId(branch);
        if (id > 0) {
            return single(xid, id, confirm, action);
        }
        int[] range = EndpointRequests.range(branch);
        if (range == null) {
            return EndpointAnswers.of(400, xid, branch, null, "The branch segment must be a positive branch id or a range"
                    + " 'first-last' with first <= last");
        }
        if (confirm) {
            return EndpointAnswers.of(400, xid, branch, null, "A range of branches can only be cancelled, never confirmed");
        }
        return rangeCancel(xid, branch, range[0], range[1]);
    }

    @Override
    public EndpointAnswer handleBatch(String method, String path, String phase, String signature, byte[] body) {
        String phaseName = EndpointRequests.orEmpty(phase);
        if (signer != null) {
            try {
                signer.verify(PhaseTwoBatches.batchSigned(EndpointRequests.orEmpty(path), phaseName, body == null ? new byte[0]
                        : body).withMethod(EndpointRequests.orEmpty(method)), signature);
            } catch (AuthenticationFailedException e) {
                log.warn("TCC participant endpoint refused {} {}: {}", method, path, e.getMessage());
                return EndpointAnswers.of(401, null, null, null, EndpointAnswers.NOT_AUTHENTICATED);
            }
        }
        if (!"POST".equalsIgnoreCase(method)) {
            return EndpointAnswers.of(405, null, null, null, "The participant endpoint takes POST only, not " + method);
        }
        boolean confirm = "confirm".equalsIgnoreCase(phaseName);
        if (!confirm && !"cancel".equalsIgnoreCase(phaseName)) {
            return EndpointAnswers.of(400, null, null, null, "The last path segment must be 'confirm' or 'cancel', not '"
                    + phaseName + "'");
        }
        String[] lines = new String(body == null ? new byte[0] : body, java.nio.charset.StandardCharsets.UTF_8).split("\n");
        if (lines.length > PhaseTwoBatches.MAX_BATCH) {
            return EndpointAnswers.of(400, null, null, null, "A batch holds at most " + PhaseTwoBatches.MAX_BATCH + " branches");
        }
        List<String[]> items = new ArrayList<>(lines.length);
        for (String line : lines) {
            String[] item = line.strip().split(" ");
            if (item.length != 3 || !EndpointRequests.XID.matcher(item[0]).matches() || EndpointRequests.branchId(item[1]) <= 0) {
                return EndpointAnswers.of(400, null, null, null, "Each line of a batch must be '<xid> <branchId> <action>'");
            }
            items.add(item);
        }
        int[] status = new int[items.size()];
        String[] actions = new String[items.size()];
        // per participant database, the items of actions without external effects: one local transaction for them all
        // (a batch whose fast pass rolls back runs its bodies again, and an external call cannot be rolled back)
        java.util.Map<ParticipantDatabase, List<Integer>> byDatabase = new java.util.LinkedHashMap<>();
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (int i = 0; i < items.size(); i++) {
            try {
                actions[i] = PercentEncoding.decode(items.get(i)[2]);
            } catch (IllegalArgumentException e) {
                status[i] = 400;
                continue;
            }
            LocalParticipant participant = byAction.apply(actions[i]);
            // a branch named again in the batch goes alone after the batch (a batch moves each row once, and its
            // repeat must find it moved, not run its body again or undo it)
            boolean first = seen.add(items.get(i)[0] + ":" + EndpointRequests.branchId(items.get(i)[1]));
            if (first && participant != null && !participant.action().externalEffects()) {
                byDatabase.computeIfAbsent(participant.database(), d -> new ArrayList<>()).add(i);
            }
        }
        for (java.util.Map.Entry<ParticipantDatabase, List<Integer>> group : byDatabase.entrySet()) {
            List<LocalBatch.Item> batch = new ArrayList<>(group.getValue().size());
            for (int i : group.getValue()) {
                LocalParticipant participant = byAction.apply(actions[i]);
                batch.add(new LocalBatch.Item(participant, new BranchReference(items.get(i)[0],
                        EndpointRequests.branchId(items.get(i)[1]), participant.id(), actions[i], clock.instant(), 1)));
            }
            try {
                boolean[] done = LocalBatch.run(group.getKey(), batch, confirm, clock);
                for (int k = 0; k < done.length; k++) {
                    if (done[k]) {
                        status[group.getValue().get(k)] = 200; // moved now or before: done either way
                    }
                }
            } catch (Exception e) {
                log.debug("TCC batch on '{}' failed as a whole; its branches go one by one: {}",
                        group.getKey().runner().name(), e.toString());
            }
        }
        StringBuilder statuses = new StringBuilder();
        for (int i = 0; i < items.size(); i++) {
            if (status[i] == 0) { // not done in a batch (no row, refused, another action's, a body that failed): alone
                status[i] = single(items.get(i)[0], EndpointRequests.branchId(items.get(i)[1]), confirm, actions[i]).status();
            }
            statuses.append(status[i]).append('\n');
        }
        return new EndpointAnswer(200, java.util.Map.of("Content-Type", "text/plain"), statuses.toString());
    }

    private EndpointAnswer single(String xid, int id, boolean confirm, String action) {
        String branch = String.valueOf(id);
        if (action == null || action.isEmpty()) {
            return EndpointAnswers.of(400, xid, branch, null, "The 'action' query parameter is missing: it names the"
                    + " action that tried the branch");
        }
        LocalParticipant participant = byAction.apply(action);
        if (participant == null) {
            return EndpointAnswers.of(404, xid, branch, null, "This service has no TCC action named '" + action + "'");
        }
        BranchState target = confirm ? BranchState.CONFIRMED : BranchState.CANCELLED;
        try {
            // no hold deadline travels with a phase-two call: an empty cancel's tombstone gets now (retention keeps it
            // a day, long past the transaction's timeout, after which no try is admitted anyway)
            BranchReference reference = new BranchReference(xid, id, participant.id(), action, clock.instant(), 1);
            LocalParticipant.Outcome outcome = confirm ? participant.confirmOnce(reference) : participant.cancelOnce(reference);
            return outcome == LocalParticipant.Outcome.ALREADY
                    ? EndpointAnswers.of(208, xid, branch, target.code(), "already " + target.code())
                    : EndpointAnswers.of(200, xid, branch, target.code(), target.code());
        } catch (LocalParticipant.OtherActionException e) {
            return EndpointAnswers.of(404, xid, branch, null, e.getMessage());
        } catch (LocalParticipant.NoTryRecordedException e) {
            return EndpointAnswers.of(404, xid, branch, null, e.getMessage());
        } catch (ConfirmRefusedException e) {
            return EndpointAnswers.of(409, xid, branch, BranchState.CANCELLED.code(), e.getMessage());
        } catch (CancelRefusedException e) {
            return EndpointAnswers.of(409, xid, branch, BranchState.CONFIRMED.code(), e.getMessage());
        } catch (Exception e) {
            log.warn("TCC participant endpoint could not {} branch {} of [{}] ('{}'); the coordinator retries", confirm
                    ? "confirm" : "cancel", id, xid, action, e);
            return EndpointAnswers.of(503, xid, branch, null, EndpointAnswers.messageOf(e));
        }
    }

    private EndpointAnswer rangeCancel(String xid, String segment, int first, int last) {
        int cancelled = 0;
        List<Integer> confirmed = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        for (ParticipantDatabase database : databases.get()) {
            List<BranchBarrier.RangeRow> rows;
            try {
                rows = database.runner().inNewTransaction(c -> database.barrier().findRange(c, xid, first, last));
            } catch (Exception e) {
                failures.add("database '" + database.runner().name() + "': " + EndpointAnswers.messageOf(e));
                continue;
            }
            for (BranchBarrier.RangeRow row : rows) {
                if (row.state() == BranchState.CONFIRMED) {
                    confirmed.add(row.branchId());
                    continue;
                }
                if (row.state() != BranchState.TRIED) {
                    continue;
                }
                LocalParticipant participant = byAction.apply(row.action());
                if (participant == null || !participant.database().runner().name().equals(database.runner().name())) {
                    log.info("TCC range cancel of [{}] {} leaves branch {} alone: its action '{}' is not one of this"
                            + " service's on database '{}'", xid, segment, row.branchId(), row.action(), database.runner().name());
                    continue;
                }
                try {
                    participant.cancel(new BranchReference(xid, row.branchId(), participant.id(), row.action(),
                            row.holdDeadline(), 1));
                    cancelled++;
                } catch (CancelRefusedException e) {
                    confirmed.add(row.branchId());
                } catch (Exception e) {
                    failures.add("branch " + row.branchId() + ": " + EndpointAnswers.messageOf(e));
                }
            }
        }
        if (!failures.isEmpty()) {
            log.warn("TCC range cancel of [{}] {} failed in part; the coordinator retries: {}", xid, segment, failures);
            return EndpointAnswers.of(503, xid, segment, null, "Cancelled " + cancelled + ", failed: " + failures);
        }
        if (!confirmed.isEmpty()) {
            return EndpointAnswers.of(409, xid, segment, BranchState.CONFIRMED.code(), "Branches " + confirmed + " of [" + xid
                    + "] in the range are CONFIRMED and stay so; the others are cancelled");
        }
        return cancelled > 0
                ? EndpointAnswers.of(200, xid, segment, BranchState.CANCELLED.code(), "cancelled " + cancelled + " branch(es)")
                : EndpointAnswers.of(208, xid, segment, BranchState.CANCELLED.code(), "nothing left to cancel in the range");
    }
}

package dev.tcc.runtime.coordinator;

/**
 * Phase two of one transaction as queued on the phase-two executor. {@code logged} says whether
 * its decision is in the log: only such a round, dropped at shutdown, is a decided transaction
 * that recovery drives later. An unlogged cancel (another decider's decision won) is not.
 */
public record PhaseTwoRound(String xid, boolean logged, Runnable body) implements Runnable {

    @Override
    public void run() {
        body.run();
    }
}

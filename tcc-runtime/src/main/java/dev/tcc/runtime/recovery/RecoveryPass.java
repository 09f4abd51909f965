package dev.tcc.runtime.recovery;

/** The independent passes of one recovery run, each of which may fail without stopping the others. */
public enum RecoveryPass {
    /** {@link CoordinatorRecovery}: re-drives decided transactions (needs the transaction log). */
    COORDINATOR_RECOVERY("coordinator-recovery"),
    /** {@link HoldExpiry}: finishes due holds (needs the participant databases; made for a log that is down). */
    HOLD_EXPIRY("hold-expiry"),
    /** {@link Retention}: purges finished rows. */
    RETENTION("retention");

    private final String code;

    RecoveryPass(String code) {
        this.code = code;
    }

    /** Name in logs and metric tags. */
    public String code() {
        return code;
    }
}

package dev.tcc.runtime;

import dev.tcc.runtime.log.TransactionLog;

/** Test support: the internals a test of another package may look at, which {@link TccRuntime} does not hand out. */
public final class TccRuntimeInternals {

    private TccRuntimeInternals() {
    }

    /** The runtime's transaction log. */
    public static TransactionLog transactionLog(TccRuntime runtime) {
        return runtime.transactionLog();
    }
}

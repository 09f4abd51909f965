package dev.tcc.sample.hold;

import dev.tcc.runtime.coordinator.GlobalTransaction;
import dev.tcc.runtime.coordinator.TransactionContextHolder;

/** The xid of the TCC transaction on this thread (tries run on the initiator's thread). */
public final class CurrentTransaction {

    private CurrentTransaction() {
    }

    public static String xid() {
        GlobalTransaction tx = TransactionContextHolder.current();
        if (tx == null) {
            throw new IllegalStateException("No TCC transaction in progress on this thread");
        }
        return tx.xid();
    }
}

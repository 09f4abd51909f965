package dev.tcc.runtime.action;

import dev.tcc.runtime.barrier.BranchBarrier;
import dev.tcc.spi.LocalTransactionRunner;

/**
 * A participant database: where local transactions run and which barrier dialect it speaks.
 *
 * @param runner  its local transactions
 * @param barrier its branch barrier
 */
public record ParticipantDatabase(LocalTransactionRunner runner, BranchBarrier barrier) {
}

package dev.tcc.runtime.log;

import dev.tcc.api.operations.BranchState;

/**
 * What one phase-two round did to a branch.
 *
 * @param state    the branch's state after the round (unchanged when it failed)
 * @param attempts deliveries made in this round
 * @param error    the failure, or null
 */
public record BranchOutcome(int branchId, BranchState state, int attempts, String error) {
}

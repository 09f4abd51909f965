package dev.tcc.runtime.barrier;

import dev.tcc.api.operations.BranchState;
import java.time.Instant;

/**
 * One row of the branch barrier, as read back.
 *
 * @param action       action name of the try
 * @param state        TRIED, CONFIRMED or CANCELLED
 * @param holdDeadline instant the hold expires unless confirmed
 * @param arguments    the try's arguments as JSON, null for an empty cancel
 * @param result       the try's result as JSON, null when it returned nothing or rolled back
 */
public record BarrierRow(String action, BranchState state, Instant holdDeadline, String arguments, String result) {
}

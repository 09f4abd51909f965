package dev.tcc.sample.hold;

import java.util.List;

/**
 * What a participant service answers to {@code GET /inventory}: its resources with their accounting and
 * its recent holds (or the holds of one transaction). The booking service's dashboard gathers these.
 *
 * @param service      flights, hotels or payments
 * @param unit         what is held: seats, rooms, credit
 * @param pendingHolds how many holds are PENDING now
 */
public record ParticipantInventory(String service, String unit, List<InventoryItem> items, long pendingHolds, List<HoldRow> holds) {
}

package dev.tcc.sample.hold;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /inventory} of a participant service: its resources and recent holds ({@code ?holds=8}), or
 * only the holds of one transaction ({@code ?xid=}). Read by the booking service's dashboard.
 */
@RestController
public class InventoryController {

    private final Participant participant;

    public InventoryController(Participant participant) {
        this.participant = participant;
    }

    @GetMapping("/inventory")
    public ParticipantInventory inventory(@RequestParam(defaultValue = "8") int holds, @RequestParam(required = false) String xid) {
        int limit = Math.max(0, Math.min(holds, 100));
        return new ParticipantInventory(participant.service(), participant.unit(), participant.inventory(), participant.pendingHolds(),
                xid == null ? participant.recentHolds(limit) : participant.holdsOf(xid));
    }
}

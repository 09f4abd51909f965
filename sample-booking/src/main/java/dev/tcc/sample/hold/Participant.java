package dev.tcc.sample.hold;

import java.util.List;

/** What {@code GET /inventory} of a participant service shows: each participant service has one. */
public interface Participant {

    /** Service name: flights, hotels, payments. */
    String service();

    /** What is being held: seats, rooms, credit. */
    String unit();

    List<InventoryItem> inventory();

    List<HoldRow> recentHolds(int limit);

    List<HoldRow> holdsOf(String xid);

    long pendingHolds();
}

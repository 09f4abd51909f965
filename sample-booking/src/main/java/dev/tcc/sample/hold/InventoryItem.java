package dev.tcc.sample.hold;

import java.math.BigDecimal;

/**
 * One resource of a participant with its accounting: {@code available + pending + confirmed == total}
 * at every commit (seats, rooms, or a card's credit).
 */
public record InventoryItem(String code, String label, BigDecimal price, BigDecimal total, BigDecimal available,
                            BigDecimal pending, BigDecimal confirmed) {
}

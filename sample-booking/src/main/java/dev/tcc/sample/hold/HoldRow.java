package dev.tcc.sample.hold;

import java.math.BigDecimal;

/**
 * One hold as a participant stores it: {@code PENDING} from the try until the confirm makes it
 * {@code CONFIRMED} (final) or the cancel (the initiator's, or the participant's own when the hold
 * expired) makes it {@code RELEASED}. Times are epoch milliseconds.
 */
public record HoldRow(String id, String xid, String resource, int quantity, BigDecimal amount, HoldState state,
                      long createdAt, long expiresAt, Long finishedAt) {
}

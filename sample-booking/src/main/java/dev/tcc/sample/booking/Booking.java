package dev.tcc.sample.booking;

import java.math.BigDecimal;

/**
 * A booking as {@code GET /bookings/{id}} shows it. {@code trip} carries the card masked.
 * Times are epoch milliseconds.
 */
public record Booking(String id, BookingStatus status, String reason, String xid, BigDecimal amount, TripView trip,
                      TripHolds holds, String idempotencyKey, long createdAt, long updatedAt) {

    /** The trip without the full card number. */
    public record TripView(String flight, int seats, String hotel, int rooms, int nights, String card, String simulate) {
    }
}

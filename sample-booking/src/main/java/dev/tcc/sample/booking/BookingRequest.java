package dev.tcc.sample.booking;

/**
 * The body of {@code POST /bookings} as the client sent it; {@link TripValidator} turns it into a
 * {@link Trip} or a 400. Numbers are boxed so that a missing one can be told from zero.
 *
 * @param simulate one of {@link dev.tcc.sample.common.Scenario}, default NONE
 */
public record BookingRequest(String flight, Integer seats, String hotel, Integer rooms, Integer nights, String card,
                             String simulate) {
}

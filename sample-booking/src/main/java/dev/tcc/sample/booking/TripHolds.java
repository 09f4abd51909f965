package dev.tcc.sample.booking;

/** The ids of the three holds of a booked trip, one per participant. */
public record TripHolds(String seats, String rooms, String payment) {
}

package dev.tcc.sample.booking;

import java.math.BigDecimal;

import dev.tcc.sample.common.Scenario;

/** A validated booking request, with defaults applied and the price computed. */
public record Trip(String flight, int seats, String hotel, int rooms, int nights, String card, Scenario simulate, BigDecimal amount) {
}

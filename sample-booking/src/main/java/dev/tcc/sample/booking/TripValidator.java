package dev.tcc.sample.booking;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import dev.tcc.sample.booking.remote.ParticipantServices;
import dev.tcc.sample.booking.remote.ServiceClient;
import dev.tcc.sample.common.Scenario;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.stereotype.Component;

/**
 * Checks a {@link BookingRequest} before anything is written, and prices it. Every problem is
 * reported at once; unknown flights and hotels are bad input (400), while sold-out and declined
 * are business outcomes of the booking itself (a cancelled booking). Flights and hotels, with their
 * prices, come from the flights and hotels services' catalogs ({@code GET /flights/{code}},
 * {@code GET /hotels/{code}}); when one does not answer, nothing is booked (503).
 */
@Component
public class TripValidator {

    static final int MAX_SEATS = 9;
    static final int MAX_ROOMS = 5;
    static final int MAX_NIGHTS = 30;

    /** A flight in the flights service's catalog. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record Flight(String code, BigDecimal price) {
    }

    /** A hotel in the hotels service's catalog. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record Hotel(String code, BigDecimal pricePerNight) {
    }

    private final ServiceClient flights;
    private final ServiceClient hotels;

    public TripValidator(ParticipantServices services) {
        this.flights = services.flights();
        this.hotels = services.hotels();
    }

    public Trip validate(BookingRequest request) {
        if (request == null) {
            throw new BadRequestException(List.of("The request body is missing: send a JSON object with flight, seats, hotel,"
                    + " rooms, nights and card"));
        }
        List<String> errors = new ArrayList<>();
        String flight = trim(request.flight());
        String hotel = trim(request.hotel());
        int seatCount = range(errors, "seats", request.seats(), 1, MAX_SEATS, null);
        int roomCount = range(errors, "rooms", request.rooms(), 1, MAX_ROOMS, 1);
        int nights = range(errors, "nights", request.nights(), 1, MAX_NIGHTS, null);
        String card = request.card() == null ? null : request.card().replaceAll("[\\s-]", "");
        if (card == null || card.isEmpty()) {
            errors.add("card is required (try 4111111111111111)");
        } else if (!card.matches("\\d{12,19}")) {
            errors.add("card must be 12 to 19 digits but was [" + request.card() + "]");
        }
        Scenario scenario = Scenario.NONE;
        if (request.simulate() != null && !request.simulate().isBlank()) {
            try {
                scenario = Scenario.valueOf(request.simulate().trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                errors.add("simulate must be one of " + Arrays.toString(Scenario.values()) + " but was [" + request.simulate() + "]");
            }
        }
        BigDecimal seatPrice = null;
        BigDecimal roomPrice = null;
        if (flight == null) {
            errors.add("flight is required, one of " + flightCodes());
        } else {
            seatPrice = flights.find("/flights/{code}", Flight.class, flight).map(Flight::price).orElse(null);
            if (seatPrice == null) {
                errors.add("unknown flight [" + flight + "]: use one of " + flightCodes());
            }
        }
        if (hotel == null) {
            errors.add("hotel is required, one of " + hotelCodes());
        } else {
            roomPrice = hotels.find("/hotels/{code}", Hotel.class, hotel).map(Hotel::pricePerNight).orElse(null);
            if (roomPrice == null) {
                errors.add("unknown hotel [" + hotel + "]: use one of " + hotelCodes());
            }
        }
        if (!errors.isEmpty()) {
            throw new BadRequestException(errors);
        }
        BigDecimal amount = seatPrice.multiply(BigDecimal.valueOf(seatCount))
                .add(roomPrice.multiply(BigDecimal.valueOf((long) roomCount * nights)));
        return new Trip(flight, seatCount, hotel, roomCount, nights, card, scenario, amount);
    }

    private List<String> flightCodes() {
        return flights.get("/flights", new ParameterizedTypeReference<List<Flight>>() {
        }).stream().map(Flight::code).toList();
    }

    private List<String> hotelCodes() {
        return hotels.get("/hotels", new ParameterizedTypeReference<List<Hotel>>() {
        }).stream().map(Hotel::code).toList();
    }

    private static String trim(String value) {
        return value == null || value.isBlank() ? null : value.trim().toUpperCase(Locale.ROOT);
    }

    private static int range(List<String> errors, String name, Integer value, int min, int max, Integer defaultValue) {
        if (value == null) {
            if (defaultValue != null) {
                return defaultValue;
            }
            errors.add(name + " is required (" + min + " to " + max + ")");
            return 0;
        }
        if (value < min || value > max) {
            errors.add(name + " must be between " + min + " and " + max + " but was [" + value + "]");
        }
        return value;
    }
}

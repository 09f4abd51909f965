package dev.tcc.sample;

/**
 * Runs the trip-booking sample: four Spring Boot applications in this JVM, each with its own port,
 * database, TCC tables and TCC runtime, talking signed HTTP: booking (the page, the booking API, the
 * initiator and coordinator; port 8080), flights (8081), hotels (8082) and payments (8083). Ports:
 * {@code sample.services.<name>.port} (0 picks a free one). Every argument goes to all four, e.g.
 * {@code --spring.profiles.active=postgres}. Open http://localhost:8080 once it runs.
 */
public final class TripSample {

    private TripSample() {
    }

    public static void main(String[] args) {
        ServiceFleet.start(args);
    }
}

package dev.tcc.sample.booking;

import dev.tcc.sample.common.ServiceConfiguration;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Import;

/**
 * The booking service: the page, the booking API, the bookings and idempotency keys, and the TCC
 * transaction log. {@link TripBooker} begins one TCC transaction per trip and holds seats, rooms and a
 * payment by calling the flights, hotels and payments services over HTTP; this service then coordinates
 * the transaction (its coordinator endpoint answers their questions). Its own Spring Boot application and
 * database; it scans only its own package. Started by {@link dev.tcc.sample.TripSample}.
 */
@SpringBootApplication
@Import(ServiceConfiguration.class)
public class BookingApplication {

    /** The service's name: its {@code spring.application.name}, database and {@code sample.services} key. */
    public static final String NAME = "booking";
}

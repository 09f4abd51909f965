package dev.tcc.sample.flights;

import dev.tcc.sample.hold.ParticipantConfiguration;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Import;

/**
 * The flights service: seats on flights, held by {@link SeatService} for {@code POST /holds}. Its own Spring Boot application with its own port, database, TCC tables and
 * TCC runtime; it scans only its own package. Started by {@link dev.tcc.sample.TripSample}.
 */
@SpringBootApplication
@Import(ParticipantConfiguration.class)
public class FlightsApplication {

    /** The service's name: its {@code spring.application.name}, database and {@code sample.services} key. */
    public static final String NAME = "flights";
}

package dev.tcc.sample.hotels;

import dev.tcc.sample.hold.ParticipantConfiguration;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Import;

/**
 * The hotels service: rooms in hotels, held by {@link RoomService} for {@code POST /holds}. Its own Spring Boot application with its own port, database, TCC tables and
 * TCC runtime; it scans only its own package. Started by {@link dev.tcc.sample.TripSample}.
 */
@SpringBootApplication
@Import(ParticipantConfiguration.class)
public class HotelsApplication {

    /** The service's name: its {@code spring.application.name}, database and {@code sample.services} key. */
    public static final String NAME = "hotels";
}

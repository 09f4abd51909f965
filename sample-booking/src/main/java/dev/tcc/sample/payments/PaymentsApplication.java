package dev.tcc.sample.payments;

import dev.tcc.sample.hold.ParticipantConfiguration;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Import;

/**
 * The payments service: card authorisations, held by {@link PaymentService} for {@code POST /holds}. Its own Spring Boot application with its own port, database, TCC tables and
 * TCC runtime; it scans only its own package. Started by {@link dev.tcc.sample.TripSample}.
 */
@SpringBootApplication
@Import(ParticipantConfiguration.class)
public class PaymentsApplication {

    /** The service's name: its {@code spring.application.name}, database and {@code sample.services} key. */
    public static final String NAME = "payments";
}

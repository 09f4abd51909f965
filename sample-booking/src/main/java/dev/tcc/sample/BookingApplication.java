package dev.tcc.sample;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/**
 * The trip-booking sample: flight seats, hotel rooms and a payment authorisation, each held by
 * its own participant service on its own database, booked together in one TCC transaction.
 * Open http://localhost:8080 once it runs.
 */
@SpringBootApplication
@ConfigurationPropertiesScan
public class BookingApplication {

    public static void main(String[] args) {
        SpringApplication.run(BookingApplication.class, args);
    }
}

package dev.tcc.sample.hold;

import dev.tcc.sample.common.ServiceConfiguration;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

/**
 * What each participant service (flights, hotels, payments) adds to its own beans: its database and
 * settings, {@code GET /inventory} and the error answers. Its one {@link Participant} bean says what to show.
 */
@Configuration(proxyBeanMethods = false)
@Import({ServiceConfiguration.class, InventoryController.class, ParticipantErrorHandling.class})
public class ParticipantConfiguration {
}

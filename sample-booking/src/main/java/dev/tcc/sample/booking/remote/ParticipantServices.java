package dev.tcc.sample.booking.remote;

import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.tcc.sample.common.SampleProperties;
import org.springframework.boot.http.client.ClientHttpRequestFactoryBuilder;
import org.springframework.boot.http.client.HttpClientSettings;
import org.springframework.stereotype.Component;
import org.springframework.web.client.RestClient;
import tools.jackson.databind.json.JsonMapper;

/**
 * The flights, hotels and payments services as the booking service reaches them: one {@link ServiceClient}
 * each, at {@code sample.services.<name>.url} (the launcher sets these to the ports the services got).
 * Every client is built from Spring Boot's {@code RestClient.Builder}, so the TCC starter's propagation
 * is on it: calls made inside a TCC transaction carry its signed context.
 */
@Component
public class ParticipantServices {

    /** The participant services, in the order a trip holds them. */
    public static final List<String> NAMES = List.of("flights", "hotels", "payments");

    /** Reads for the page and the validator: a service that is down must not stall them. */
    private static final HttpClientSettings READS = HttpClientSettings.defaults().withTimeouts(Duration.ofSeconds(1), Duration.ofSeconds(5));

    private final Map<String, ServiceClient> clients = new LinkedHashMap<>();

    public ParticipantServices(RestClient.Builder builder, SampleProperties properties, JsonMapper json) {
        RestClient.Builder reads = builder.clone().requestFactory(ClientHttpRequestFactoryBuilder.detect().build(READS));
        for (String name : NAMES) {
            SampleProperties.Service service = properties.getServices().get(name);
            String url = service == null ? null : service.getUrl();
            if (url == null || url.isBlank()) {
                throw new IllegalStateException("No URL for the " + name + " service: set sample.services." + name
                        + ".url (the launcher dev.tcc.sample.TripSample sets it to the service it started)");
            }
            clients.put(name, new ServiceClient(name, url, builder.clone().baseUrl(url).build(), reads.clone().baseUrl(url).build(), json));
        }
    }

    public ServiceClient flights() {
        return clients.get("flights");
    }

    public ServiceClient hotels() {
        return clients.get("hotels");
    }

    public ServiceClient payments() {
        return clients.get("payments");
    }

    /** All three, in {@link #NAMES} order. */
    public List<ServiceClient> all() {
        return List.copyOf(clients.values());
    }

    /** The service a URL belongs to (same scheme, host and port), e.g. a remote branch's participant endpoint. */
    public Optional<ServiceClient> owning(String url) {
        if (url == null) {
            return Optional.empty();
        }
        try {
            URI target = URI.create(url);
            return clients.values().stream().filter(c -> sameOrigin(URI.create(c.url()), target)).findFirst();
        } catch (IllegalArgumentException notAUrl) {
            return Optional.empty();
        }
    }

    private static boolean sameOrigin(URI a, URI b) {
        return a.getScheme() != null && a.getScheme().equalsIgnoreCase(b.getScheme()) && a.getHost() != null
                && a.getHost().equalsIgnoreCase(b.getHost()) && port(a) == port(b);
    }

    private static int port(URI uri) {
        return uri.getPort() >= 0 ? uri.getPort() : "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
    }
}

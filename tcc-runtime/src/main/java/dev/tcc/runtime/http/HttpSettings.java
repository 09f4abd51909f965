package dev.tcc.runtime.http;

import java.time.Duration;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * How this service takes part in transactions across HTTP (see docs/protocol.md).
 *
 * @param connectTimeout  connect timeout of phase-two calls and decision questions
 * @param readTimeout     read timeout of phase-two calls and decision questions
 * @param participantPath base path of this service's participant endpoint, e.g. {@code /tcc/participant}
 * @param participantUrl  absolute URL of this service's participant endpoint as others reach it, or null to
 *                        advertise {@code participantPath} and let the caller resolve it against the URL it called
 * @param coordinatorUrl  absolute URL of this service's coordinator endpoint as others reach it; asked when a call
 *                        is made, so it may depend on the port the server got
 * @param keys            the signing keys, or null when calls are not signed (the application authenticates them
 *                        itself, e.g. with Spring Security, or the user opted out)
 * @param requestHeaders  headers added to the runtime's own phase-two calls and decision questions (credentials
 *                        for services that check their own), never null
 */
public record HttpSettings(Duration connectTimeout, Duration readTimeout, String participantPath, String participantUrl,
                           Supplier<String> coordinatorUrl, SigningKeys keys,
                           dev.tcc.spi.ProtocolRequestHeaders requestHeaders) {

    /** Settings without extra request headers. */
    public HttpSettings(Duration connectTimeout, Duration readTimeout, String participantPath, String participantUrl,
                        Supplier<String> coordinatorUrl, SigningKeys keys) {
        this(connectTimeout, readTimeout, participantPath, participantUrl, coordinatorUrl, keys, target -> java.util.Map.of());
    }

    public HttpSettings {
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(readTimeout, "readTimeout");
        Objects.requireNonNull(participantPath, "participantPath");
        Objects.requireNonNull(coordinatorUrl, "coordinatorUrl");
        Objects.requireNonNull(requestHeaders, "requestHeaders");
    }

    /**
     * Defaults: 2 s connect, 10 s read, {@code /tcc/participant}, unsigned, and no coordinator URL: a call inside a
     * transaction fails until one is set ({@link #withCoordinatorUrl}), since a guessed one could point participants at
     * a service that answers "cancel" for transactions it never saw.
     */
    public static HttpSettings defaults() {
        return new HttpSettings(Duration.ofSeconds(2), Duration.ofSeconds(10), "/tcc/participant", null, () -> {
            throw new IllegalStateException("This service's coordinator URL is not set, so its transactions cannot call"
                    + " other services: set it with HttpSettings.withCoordinatorUrl (Spring Boot: tcc.http.coordinator-url,"
                    + " or run a web server, whose port it is derived from)");
        }, null);
    }

    public HttpSettings withKeys(SigningKeys newKeys) {
        return new HttpSettings(connectTimeout, readTimeout, participantPath, participantUrl, coordinatorUrl, newKeys,
                requestHeaders);
    }

    public HttpSettings withCoordinatorUrl(Supplier<String> url) {
        return new HttpSettings(connectTimeout, readTimeout, participantPath, participantUrl, url, keys, requestHeaders);
    }

    /** The same settings whose protocol requests also carry {@code headers} (see {@link dev.tcc.spi.ProtocolRequestHeaders}). */
    public HttpSettings withRequestHeaders(dev.tcc.spi.ProtocolRequestHeaders headers) {
        return new HttpSettings(connectTimeout, readTimeout, participantPath, participantUrl, coordinatorUrl, keys, headers);
    }
}

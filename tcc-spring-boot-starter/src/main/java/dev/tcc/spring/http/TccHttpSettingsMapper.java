package dev.tcc.spring.http;

import dev.tcc.runtime.http.HttpSettings;
import dev.tcc.runtime.http.SigningKeys;
import dev.tcc.spring.autoconfigure.TccProperties;
import java.time.Duration;
import java.util.function.Supplier;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.core.env.Environment;

/**
 * Maps {@code tcc.http.*} onto the runtime's {@link HttpSettings}. The participant path advertised in answers
 * includes the servlet context path. The coordinator URL, unless set, is
 * computed when first asked for (a call is made), from the port the web server got
 * ({@code local.server.port}), so it works with {@code server.port=0}.
 */
public final class TccHttpSettingsMapper {

    private TccHttpSettingsMapper() {
    }

    /**
     * The settings; signing keys only with {@code tcc.http.authentication=hmac}.
     *
     * @throws InvalidConfigurationPropertyValueException naming a property whose value is not valid
     * @throws TccHttpAuthenticationException when signing keys are configured but not usable
     */
    public static HttpSettings toSettings(TccProperties.Http http, Environment environment) {
        positive("tcc.http.connect-timeout", http.getConnectTimeout());
        positive("tcc.http.read-timeout", http.getReadTimeout());
        positive("tcc.http.signing.max-skew", http.getSigning().getMaxSkew());
        path("tcc.http.participant-path", http.getParticipantPath());
        path("tcc.http.coordinator-path", http.getCoordinatorPath());
        absoluteUrl("tcc.http.participant-url", http.getParticipantUrl());
        absoluteUrl("tcc.http.coordinator-url", http.getCoordinatorUrl());
        // answers advertise the path callers reach the endpoint at: under the servlet context path
        String participantPath = contextPath(environment) + http.getParticipantPath();
        return new HttpSettings(http.getConnectTimeout(), http.getReadTimeout(), participantPath,
                http.getParticipantUrl(), coordinatorUrl(http, environment), keys(http));
    }

    private static SigningKeys keys(TccProperties.Http http) {
        if (http.getAuthentication() != TccProperties.HttpAuthentication.HMAC) {
            return null;
        }
        TccProperties.Signing signing = http.getSigning();
        TccHttpAuthenticationCheck.checkKeys(signing, false);
        return signing.getKeyId() == null ? null : new SigningKeys(signing.getKeyId(), signing.getKeys(), signing.getMaxSkew());
    }

    private static Supplier<String> coordinatorUrl(TccProperties.Http http, Environment environment) {
        if (http.getCoordinatorUrl() != null) {
            String url = http.getCoordinatorUrl();
            return () -> url;
        }
        return new LocalCoordinatorUrl(environment, http.getCoordinatorPath());
    }

    /** {@code server.servlet.context-path} without a trailing slash; empty when not set. */
    /** Where the endpoints are reached: under the servlet context path and the DispatcherServlet's own path. */
    private static String contextPath(Environment environment) {
        return trimmed(environment.getProperty("server.servlet.context-path", ""))
                + trimmed(environment.getProperty("spring.mvc.servlet.path", ""));
    }

    private static String trimmed(String path) {
        return path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    }

    private static void positive(String name, Duration value) {
        if (value == null || value.isNegative() || value.isZero()) {
            throw new InvalidConfigurationPropertyValueException(name, value, name + " must be positive but was [" + value + "]");
        }
    }

    private static void path(String name, String value) {
        if (value == null || !value.startsWith("/") || value.contains("?") || value.contains("{")) {
            throw new InvalidConfigurationPropertyValueException(name, value,
                    name + " must be a path starting with '/' (no query, no variables) but was [" + value + "]");
        }
    }

    private static void absoluteUrl(String name, String value) {
        if (value != null && !(value.startsWith("http://") || value.startsWith("https://"))) {
            throw new InvalidConfigurationPropertyValueException(name, value,
                    name + " must be an absolute http:// or https:// URL but was [" + value + "]");
        }
    }

    /** {@code http://localhost:{local.server.port}{context path}{coordinator path}}, fixed once the port is known. */
    private static final class LocalCoordinatorUrl implements Supplier<String> {

        private final Environment environment;
        private final String coordinatorPath;
        private volatile String url;

        LocalCoordinatorUrl(Environment environment, String coordinatorPath) {
            this.environment = environment;
            this.coordinatorPath = coordinatorPath;
        }

        @Override
        public String get() {
            String known = url;
            if (known != null) {
                return known;
            }
            String port = environment.getProperty("local.server.port");
            if (port == null) {
                throw new IllegalStateException("This service's coordinator URL is not known: 'tcc.http.coordinator-url' is"
                        + " not set and no web server has started here ('local.server.port' is not set). Set"
                        + " 'tcc.http.coordinator-url' to the URL at which other services reach this service's coordinator"
                        + " endpoint '" + coordinatorPath + "'");
            }
            String scheme = environment.getProperty("server.ssl.enabled", Boolean.class, false) ? "https" : "http";
            known = scheme + "://localhost:" + port + contextPath(environment) + coordinatorPath;
            org.slf4j.LoggerFactory.getLogger(TccHttpSettingsMapper.class).warn("TCC: 'tcc.http.coordinator-url' is not"
                    + " set; participants will ask this service's coordinator at {}, which only services on this host reach."
                    + " Set it to the URL other services reach this one at", known);
            url = known;
            return known;
        }
    }
}

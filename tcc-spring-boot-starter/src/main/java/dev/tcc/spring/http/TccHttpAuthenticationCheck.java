package dev.tcc.spring.http;

import dev.tcc.spring.autoconfigure.TccProperties;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.util.ClassUtils;

/**
 * Refuses to start a service whose TCC endpoints and joined calls would accept calls nobody authenticates,
 * unless the user opted out with {@code tcc.http.authentication=none} (then a warning says so).
 */
final class TccHttpAuthenticationCheck {

    static final String SECURITY_FILTER_CHAIN = "org.springframework.security.web.SecurityFilterChain";

    private static final Log logger = LogFactory.getLog(TccHttpAuthenticationCheck.class);

    private static final String WAYS_OUT = "Consider one of the following:\n"
            + "\t- sign the calls between services: set 'tcc.http.signing.key-id' and the shared secret"
            + " 'tcc.http.signing.keys.<key-id>' (the same secret on every service; at least 32 random bytes),\n"
            + "\t- authenticate them with the application's Spring Security setup: set"
            + " 'tcc.http.authentication=spring-security' (with spring-security-web on the class path),\n"
            + "\t- accept unauthenticated calls, e.g. on a closed network: set 'tcc.http.authentication=none'.";

    private TccHttpAuthenticationCheck() {
    }

    /**
     * Checks the authentication of a service that exposes its endpoints and joins callers' transactions; with
     * {@code none}, logs a warning.
     *
     * @return the check, done, for the beans that must wait for it
     * @throws TccHttpAuthenticationException when they would accept calls nobody authenticates
     */
    static TccHttpAuthenticationCheck run(TccProperties.Http http, ClassLoader classLoader) {
        check(http, classLoader);
        return new TccHttpAuthenticationCheck();
    }

    private static void check(TccProperties.Http http, ClassLoader classLoader) {
        switch (http.getAuthentication()) {
            case HMAC -> checkKeys(http.getSigning(), true);
            case SPRING_SECURITY -> {
                if (!ClassUtils.isPresent(SECURITY_FILTER_CHAIN, classLoader)) {
                    throw new TccHttpAuthenticationException("tcc.http.authentication=spring-security but Spring Security"
                            + " is not on the class path (no class '" + SECURITY_FILTER_CHAIN + "'): the TCC participant"
                            + " endpoint '" + http.getParticipantPath() + "', the coordinator endpoint '"
                            + http.getCoordinatorPath() + "' and the calls that join a transaction would accept"
                            + " unauthenticated requests.", "Add spring-boot-starter-security and protect those paths, or "
                            + WAYS_OUT.substring("Consider ".length()));
                }
            }
            case NONE -> logger.warn("tcc.http.authentication=none: the TCC participant endpoint '" + http.getParticipantPath()
                    + "', the coordinator endpoint '" + http.getCoordinatorPath() + "' and the calls that join a transaction"
                    + " accept unauthenticated requests: anyone who reaches this service can confirm or cancel its branches."
                    + " Set tcc.http.signing.* (and remove tcc.http.authentication) to sign them");
        }
    }

    /**
     * Checks the signing keys; a key id without its secret, or secrets without a key id, is always a mistake;
     * no keys at all only when {@code required}.
     */
    static void checkKeys(TccProperties.Signing signing, boolean required) {
        String keyId = signing.getKeyId();
        if (keyId == null && signing.getKeys().isEmpty()) {
            if (required) {
                throw new TccHttpAuthenticationException("The TCC participant and coordinator endpoints and the calls that"
                        + " join a transaction must be authenticated (tcc.http.authentication=hmac, the default), but no"
                        + " signing key is configured: every call would be refused, or, unsigned, accepted from anyone.",
                        WAYS_OUT);
            }
            return;
        }
        if (keyId == null || keyId.isBlank()) {
            throw new TccHttpAuthenticationException("Signing keys " + signing.getKeys().keySet() + " are configured but"
                    + " 'tcc.http.signing.key-id' is not set: outgoing calls cannot be signed.",
                    "Set 'tcc.http.signing.key-id' to the id of the key outgoing calls are signed with, one of "
                            + signing.getKeys().keySet() + ".");
        }
        String secret = signing.getKeys().get(keyId);
        if (secret == null || secret.isBlank()) {
            throw new TccHttpAuthenticationException("The signing key id 'tcc.http.signing.key-id' [" + keyId + "] has no"
                    + " secret: 'tcc.http.signing.keys." + keyId + "' is not set (known key ids: "
                    + signing.getKeys().keySet() + ").", "Set 'tcc.http.signing.keys." + keyId + "' to the shared secret,"
                    + " or 'tcc.http.signing.key-id' to one of " + signing.getKeys().keySet() + ".\n" + WAYS_OUT);
        }
    }
}

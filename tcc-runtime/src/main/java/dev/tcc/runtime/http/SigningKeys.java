package dev.tcc.runtime.http;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * The shared secrets for HMAC-SHA256 signatures, by key id: a receiver accepts every key listed, a
 * sender signs with {@code currentKeyId}. {@link #toString()} never shows a secret.
 *
 * @param currentKeyId the key outgoing calls are signed with; must be in {@code secrets}
 * @param secrets      key id to secret
 * @param maxSkew      how far a signature's timestamp may be from this clock
 */
public record SigningKeys(String currentKeyId, Map<String, String> secrets, Duration maxSkew) {

    public SigningKeys {
        Objects.requireNonNull(currentKeyId, "currentKeyId");
        secrets = Map.copyOf(secrets);
        Objects.requireNonNull(maxSkew, "maxSkew");
        if (!secrets.containsKey(currentKeyId)) {
            throw new IllegalArgumentException("The signing key id '" + currentKeyId + "' has no secret; known key ids: "
                    + secrets.keySet());
        }
    }

    @Override
    public String toString() {
        return "SigningKeys[current=" + currentKeyId + ", keyIds=" + secrets.keySet() + ", maxSkew=" + maxSkew + "]";
    }
}

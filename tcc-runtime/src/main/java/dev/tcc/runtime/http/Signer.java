package dev.tcc.runtime.http;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signs and verifies {@code Tcc-Signature} values with HMAC-SHA256 (docs/protocol.md, "Signatures").
 *
 * <p>The value is {@code v1;key=<keyId>;ts=<epochSeconds>;sig=<base64url, no padding>}; {@code sig} is the HMAC of
 * the canonical string {@code TCC-HMAC-SHA256\n<METHOD>\n<path>\n<xid>\n<branch>\n<PHASE>\n<body digest>\n<ts>}.
 * A timestamp is accepted when it is at most {@link SigningKeys#maxSkew()} (in whole seconds) from this clock.
 * Messages of {@link AuthenticationFailedException} name the key id and what failed, never a secret.
 */
public final class Signer {

    private static final String ALGORITHM = "HmacSHA256";
    private static final Base64.Encoder BASE64URL = Base64.getUrlEncoder().withoutPadding();
    /** Key ids appear in the header value: no separators, no spaces. */
    private static final Pattern KEY_ID = Pattern.compile("[A-Za-z0-9._:-]{1,64}");
    private static final Pattern HEADER =
            Pattern.compile("v1;key=([A-Za-z0-9._:-]{1,64});ts=(0|[1-9][0-9]{0,11});sig=([A-Za-z0-9_-]{43})");

    /** An instance to copy, so that a digest costs no provider look-up. */
    private static final MessageDigest SHA256 = sha256();

    private final SigningKeys keys;
    private final Clock clock;
    /** Per key id, a Mac initialised with its secret, to copy: a signature costs no provider look-up nor key set-up. */
    private final Map<String, Mac> initialisedMacs = new HashMap<>();

    public Signer(SigningKeys keys, Clock clock) {
        this.keys = Objects.requireNonNull(keys, "keys");
        this.clock = Objects.requireNonNull(clock, "clock");
        for (String keyId : keys.secrets().keySet()) {
            if (!KEY_ID.matcher(keyId).matches()) {
                throw new IllegalArgumentException("The signing key id '" + keyId + "' cannot appear in a Tcc-Signature:"
                        + " use 1 to 64 of A-Z a-z 0-9 . _ : -");
            }
            if (keys.secrets().get(keyId).isEmpty()) {
                throw new IllegalArgumentException("The signing key '" + keyId + "' has an empty secret: give it one");
            }
            initialisedMacs.put(keyId, newMac(keys.secrets().get(keyId)));
        }
    }

    /** The {@code Tcc-Signature} value for {@code what}, with the current key and this clock's time. */
    public String sign(Signed what) {
        String canonical = canonical(what, IllegalArgumentException::new);
        long ts = clock.instant().getEpochSecond();
        String keyId = keys.currentKeyId();
        return "v1;key=" + keyId + ";ts=" + ts + ";sig=" + hmac(keyId, canonical + ts);
    }

    /**
     * Checks {@code headerValue} against {@code what}.
     *
     * @throws AuthenticationFailedException when it is missing (null or blank), malformed, names an unknown key,
     *         is outside the allowed skew, or does not match; the message says which
     */
    public void verify(Signed what, String headerValue) {
        Header header = Header.parse(headerValue);
        if (!initialisedMacs.containsKey(header.keyId())) {
            throw new AuthenticationFailedException("The Tcc-Signature names the key id '" + header.keyId()
                    + "', which this service does not have (it knows " + keys.secrets().keySet()
                    + "): configure the same key ids and secrets on both services");
        }
        long now = clock.instant().getEpochSecond();
        long skew = Math.abs(now - header.ts());
        if (skew > keys.maxSkew().toSeconds()) {
            throw new AuthenticationFailedException("The Tcc-Signature's timestamp [" + header.ts() + "] is " + skew
                    + " s from this service's clock [" + now + "], more than the allowed " + keys.maxSkew().toSeconds()
                    + " s: a stale or replayed request, or clocks out of sync");
        }
        String canonical = canonical(what, AuthenticationFailedException::new);
        byte[] expected = hmac(header.keyId(), canonical + header.ts()).getBytes(StandardCharsets.US_ASCII);
        if (!MessageDigest.isEqual(expected, header.sig().getBytes(StandardCharsets.US_ASCII))) {
            throw new AuthenticationFailedException("The Tcc-Signature (key '" + header.keyId() + "') does not match: the"
                    + " secret differs, or the method, path, query, xid, branch, phase or body differ from what was signed");
        }
    }

    /**
     * The {@code sig} part of a signature header value (what a signed answer names in place of the branch).
     *
     * @throws AuthenticationFailedException when the value is missing or malformed
     */
    public static String sigOf(String headerValue) {
        return Header.parse(headerValue).sig();
    }

    /** The SHA-256 of {@code body}, base64url without padding: the body digest line. */
    static String digest(byte[] body) {
        MessageDigest digest;
        try {
            digest = (MessageDigest) SHA256.clone();
        } catch (CloneNotSupportedException e) {
            digest = sha256();
        }
        return BASE64URL.encodeToString(digest.digest(body));
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("This JVM has no SHA-256", e);
        }
    }

    /** The canonical string up to and including the newline before the timestamp. */
    private static String canonical(Signed what, java.util.function.Function<String, RuntimeException> refuse) {
        String method = what.method().toUpperCase(java.util.Locale.ROOT);
        String phase = what.phase().toUpperCase(java.util.Locale.ROOT);
        for (Map.Entry<String, String> line : Map.of("method", method, "path", what.path(), "xid", what.xid(),
                "branch", what.branch(), "phase", phase).entrySet()) {
            if (line.getValue().indexOf('\n') >= 0 || line.getValue().indexOf('\r') >= 0) {
                throw refuse.apply("The " + line.getKey() + " to sign contains a line break: it cannot be signed");
            }
        }
        return "TCC-HMAC-SHA256\n" + method + "\n" + what.path() + "\n" + what.xid() + "\n" + what.branch() + "\n"
                + phase + "\n" + digest(what.body()) + "\n";
    }

    /** The HMAC of {@code data} with the secret of {@code keyId}, a key this signer was built with. */
    private String hmac(String keyId, String data) {
        Mac mac;
        try {
            mac = (Mac) initialisedMacs.get(keyId).clone(); // a copy: Mac instances are not thread-safe
        } catch (CloneNotSupportedException e) {
            mac = newMac(keys.secrets().get(keyId));
        }
        return BASE64URL.encodeToString(mac.doFinal(data.getBytes(StandardCharsets.UTF_8)));
    }

    private static Mac newMac(String secret) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), ALGORITHM));
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("This JVM cannot compute " + ALGORITHM, e);
        }
    }

    /** A parsed {@code Tcc-Signature} value. */
    private record Header(String keyId, long ts, String sig) {

        static Header parse(String value) {
            if (value == null || value.isBlank()) {
                throw new AuthenticationFailedException("The request carries no Tcc-Signature: sign it with a key both"
                        + " services share (see docs/protocol.md, 'Signatures')");
            }
            Matcher m = HEADER.matcher(value.strip());
            if (!m.matches()) {
                throw new AuthenticationFailedException("The Tcc-Signature is malformed: expected"
                        + " 'v1;key=<keyId>;ts=<epochSeconds>;sig=<43 base64url characters>'");
            }
            return new Header(m.group(1), Long.parseLong(m.group(2)), m.group(3));
        }
    }
}

package dev.tcc.runtime.http;

import java.time.Clock;

/** Signs and verifies {@code Tcc-Signature} values with HMAC-SHA256 (docs/protocol.md, "Signatures"). */
public final class Signer {

    private final SigningKeys keys;
    private final Clock clock;

    public Signer(SigningKeys keys, Clock clock) {
        this.keys = keys;
        this.clock = clock;
    }

    /** The {@code Tcc-Signature} value for {@code what}, with the current key and this clock's time. */
    public String sign(Signed what) {
        throw new UnsupportedOperationException("TODO");
    }

    /**
     * Checks {@code headerValue} against {@code what}.
     *
     * @throws AuthenticationFailedException when it is missing (null or blank), malformed, names an unknown key,
     *         is outside the allowed skew, or does not match; the message says which
     */
    public void verify(Signed what, String headerValue) {
        throw new UnsupportedOperationException("TODO");
    }

    /** The {@code sig} part of a signature header value (what a signed answer names in place of the branch). */
    public static String sigOf(String headerValue) {
        throw new UnsupportedOperationException("TODO");
    }
}

package dev.tcc.runtime.http;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Percent-encoding (RFC 3986, UTF-8) as the protocol uses it: never {@code +} for a space, so a value
 * reads back the same whether a receiver decodes it as a path, a query or a header parameter.
 */
final class PercentEncoding {

    private static final char[] HEX = "0123456789ABCDEF".toCharArray();
    /** Characters with a meaning in a {@code Tcc-Branch} value (or in a header list), escaped inside its parameters. */
    private static final String HEADER_SPECIALS = "%;=,\"";

    private PercentEncoding() {
    }

    /** Keeps only the unreserved characters of RFC 3986 ({@code A-Z a-z 0-9 - . _ ~}): for a path segment or query value. */
    static String unreserved(String value) {
        return encode(value, b -> (b >= 'A' && b <= 'Z') || (b >= 'a' && b <= 'z') || (b >= '0' && b <= '9')
                || b == '-' || b == '.' || b == '_' || b == '~');
    }

    /** Keeps visible ASCII but {@code % ; = , "}: for a parameter of a {@code Tcc-Branch} value (a URL stays readable). */
    static String headerParameter(String value) {
        return encode(value, b -> b > 0x20 && b < 0x7F && HEADER_SPECIALS.indexOf(b) < 0);
    }

    private static String encode(String value, java.util.function.IntPredicate keep) {
        StringBuilder out = new StringBuilder(value.length());
        for (byte raw : value.getBytes(StandardCharsets.UTF_8)) {
            int b = raw & 0xFF;
            if (keep.test(b)) {
                out.append((char) b);
            } else {
                out.append('%').append(HEX[b >> 4]).append(HEX[b & 0xF]);
            }
        }
        return out.toString();
    }

    /** Decodes {@code %XX} escapes (a {@code +} stays a {@code +}); throws IllegalArgumentException for a broken escape or invalid UTF-8. */
    static String decode(String value) {
        if (value.indexOf('%') < 0) {
            return value;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(value.length());
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '%') {
                if (i + 2 >= value.length()) {
                    throw new IllegalArgumentException("a '%' escape is cut short at position " + i);
                }
                int high = Character.digit(value.charAt(i + 1), 16);
                int low = Character.digit(value.charAt(i + 2), 16);
                if (high < 0 || low < 0) {
                    throw new IllegalArgumentException("'%" + value.charAt(i + 1) + value.charAt(i + 2)
                            + "' at position " + i + " is not a percent escape (two hex digits)");
                }
                bytes.write(high << 4 | low);
                i += 2;
            } else if (c > 0x7F) {
                throw new IllegalArgumentException("non-ASCII character at position " + i + ": percent-encode it as UTF-8");
            } else {
                bytes.write(c);
            }
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes.toByteArray())).toString();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("the percent escapes are not valid UTF-8", e);
        }
    }
}

package dev.tcc.runtime.support;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses the durations of annotations and settings: {@code "500ms"}, {@code "30s"}, {@code "15m"}, {@code "2h"}, {@code "1d"} or ISO-8601 ({@code "PT15M"}). */
public final class Durations {

    private static final Pattern SIMPLE = Pattern.compile("^\\s*(\\d+)\\s*(ms|s|m|h|d)\\s*$");

    private Durations() {
    }

    /**
     * Parses {@code text}; an empty or null text gives {@code fallback}.
     *
     * @throws IllegalArgumentException naming {@code what} and the bad value
     */
    public static Duration parse(String text, Duration fallback, String what) {
        if (text == null || text.isBlank()) {
            return fallback;
        }
        Matcher m = SIMPLE.matcher(text);
        Duration result;
        if (m.matches()) {
            long amount = Long.parseLong(m.group(1));
            result = switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(amount);
                case "s" -> Duration.ofSeconds(amount);
                case "m" -> Duration.ofMinutes(amount);
                case "h" -> Duration.ofHours(amount);
                default -> Duration.ofDays(amount);
            };
        } else {
            try {
                result = Duration.parse(text.trim());
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException(what + " has an invalid duration [" + text
                        + "]: use a number with a unit (500ms, 30s, 15m, 2h, 1d) or ISO-8601 (PT15M)");
            }
        }
        if (result.isNegative() || result.isZero()) {
            throw new IllegalArgumentException(what + " must be positive but was [" + text + "]");
        }
        return result;
    }
}

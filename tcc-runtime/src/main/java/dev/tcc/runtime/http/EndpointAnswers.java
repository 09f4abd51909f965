package dev.tcc.runtime.http;

import java.util.Map;

/** The JSON answers of the endpoints, built by hand (a few fixed fields). */
final class EndpointAnswers {

    /** The body of a 401: why goes to the receiving service's log only (it would tell a stranger the key ids and the clock). */
    static final String NOT_AUTHENTICATED = "Not authenticated: the Tcc-Signature is missing or does not verify; the"
            + " receiving service's log says why";

    private static final Map<String, String> JSON = Map.of("Content-Type", "application/json");

    private EndpointAnswers() {
    }

    /** {@code {"xid":…,"branch":…,"state":…,"message":…}}; a null field is JSON null. */
    static EndpointAnswer of(int status, String xid, String branch, String state, String message) {
        return new EndpointAnswer(status, JSON, "{\"xid\":" + string(xid) + ",\"branch\":" + string(branch) + ",\"state\":"
                + string(state) + ",\"message\":" + string(message) + "}");
    }

    /** A JSON body with extra headers. */
    static EndpointAnswer json(int status, Map<String, String> headers, String body) {
        java.util.Map<String, String> all = new java.util.HashMap<>(JSON);
        all.putAll(headers);
        return new EndpointAnswer(status, all, body);
    }

    /** A JSON string literal, or {@code null}. */
    static String string(String value) {
        if (value == null) {
            return "null";
        }
        StringBuilder out = new StringBuilder(value.length() + 2).append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x2028 || c == 0x2029) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }

    /** A failure's message, or its class name when it has none. */
    static String messageOf(Throwable failure) {
        return failure.getMessage() == null ? failure.getClass().getName() : failure.getMessage();
    }
}

package dev.tcc.runtime.http;

import java.util.Map;
import tools.jackson.core.io.JsonStringEncoder;

/** The JSON answers of the endpoints: a few fixed fields, their strings escaped by Jackson. */
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
        return value == null ? "null" : "\"" + new String(JsonStringEncoder.getInstance().quoteAsCharArray(value)) + "\"";
    }

    /** A failure's message, or its class name when it has none. */
    static String messageOf(Throwable failure) {
        return failure.getMessage() == null ? failure.getClass().getName() : failure.getMessage();
    }
}

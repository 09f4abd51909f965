package dev.tcc.sample.booking.remote;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

import dev.tcc.sample.hold.HoldRefusedException;
import dev.tcc.sample.hold.ParticipantInventory;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.client.ClientHttpResponse;
import org.springframework.web.client.ResourceAccessException;
import org.springframework.web.client.RestClient;
import org.springframework.web.util.UriBuilder;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * One participant service as the booking service calls it. {@link #hold} is the try: made inside the
 * booking's TCC transaction with a client from Spring's {@code RestClient.Builder}, to which the starter
 * adds the transaction's (signed) context headers, and which records the branches the answer names. The
 * reads (catalog, inventory) use short timeouts, so that a service that is down only greys out its panel.
 */
public final class ServiceClient {

    private final String name;
    private final String url;
    private final RestClient tries;
    private final RestClient reads;
    private final JsonMapper json;

    ServiceClient(String name, String url, RestClient tries, RestClient reads, JsonMapper json) {
        this.name = name;
        this.url = url;
        this.tries = tries;
        this.reads = reads;
        this.json = json;
    }

    public String name() {
        return name;
    }

    public String url() {
        return url;
    }

    /** The id of a hold a participant took. */
    record Held(String hold) {
    }

    /**
     * {@code POST /holds} with {@code body}; returns the hold's id.
     *
     * @throws HoldRefusedException        when the service refused (422: sold out, declined), with its reason
     * @throws ServiceUnreachableException when no answer came
     */
    public String hold(Object body) {
        try {
            Held held = tries.post().uri("/holds").contentType(MediaType.APPLICATION_JSON).body(body).retrieve()
                    .onStatus(status -> status.value() == HttpStatus.UNPROCESSABLE_CONTENT.value(), (request, response) -> {
                        throw new HoldRefusedException(detail(response));
                    })
                    .onStatus(HttpStatusCode::isError, (request, response) -> {
                        throw new IllegalStateException("The " + name + " service answered " + response.getStatusCode().value()
                                + " to POST /holds: " + detail(response));
                    })
                    .body(Held.class);
            if (held == null || held.hold() == null) {
                throw new IllegalStateException("The " + name + " service answered POST /holds without a hold id");
            }
            return held.hold();
        } catch (ResourceAccessException e) {
            throw unreachable("POST /holds", e);
        }
    }

    /** {@code GET path}; empty on 404. */
    public <T> Optional<T> find(String path, Class<T> type, Object... uriVariables) {
        try {
            Optional<T> found = reads.get().uri(path, uriVariables).exchange((request, response) -> {
                if (response.getStatusCode().value() == HttpStatus.NOT_FOUND.value()) {
                    return Optional.<T>empty();
                }
                if (response.getStatusCode().isError()) {
                    throw new IllegalStateException("The " + name + " service answered " + response.getStatusCode().value()
                            + " to GET " + request.getURI().getPath() + ": " + detail(response));
                }
                return Optional.ofNullable(response.bodyTo(type));
            });
            return found == null ? Optional.empty() : found;
        } catch (ResourceAccessException e) {
            throw unreachable("GET " + path, e);
        }
    }

    /** {@code GET path}, which must answer 2xx. */
    public <T> T get(String path, ParameterizedTypeReference<T> type) {
        try {
            return reads.get().uri(path).retrieve().body(type);
        } catch (ResourceAccessException e) {
            throw unreachable("GET " + path, e);
        }
    }

    /** {@code GET /inventory}: the resources and the {@code holds} newest holds, or only those of {@code xid}. */
    public ParticipantInventory inventory(String xid, int holds) {
        try {
            return reads.get().uri((UriBuilder uri) -> {
                        uri.path("/inventory").queryParam("holds", holds);
                        if (xid != null) {
                            uri.queryParam("xid", xid);
                        }
                        return uri.build();
                    })
                    .retrieve().body(ParticipantInventory.class);
        } catch (ResourceAccessException e) {
            throw unreachable("GET /inventory", e);
        }
    }

    private ServiceUnreachableException unreachable(String call, ResourceAccessException e) {
        Throwable cause = e.getMostSpecificCause();
        String why = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
        return new ServiceUnreachableException("The " + name + " service (" + url + ") did not answer " + call + ": " + why, e);
    }

    /** The problem detail's {@code detail}, or the body's first line. */
    private String detail(ClientHttpResponse response) throws IOException {
        String body = new String(response.getBody().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (body.startsWith("{")) {
            try {
                JsonNode detail = json.readTree(body).get("detail");
                if (detail != null && !detail.isNull()) {
                    return detail.asString();
                }
            } catch (RuntimeException unreadable) {
                // not JSON after all: show the text
            }
        }
        return body.isEmpty() ? "(no body)" : body.lines().findFirst().orElse(body);
    }
}

package dev.tcc.spring.actuate;

import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.actuate.endpoint.InvalidEndpointRequestException;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
import org.springframework.boot.actuate.endpoint.web.annotation.EndpointWebExtension;

/**
 * The {@link TccEndpoint}'s list and retry over HTTP: a bad {@code state} or {@code limit}, or a retry of an unknown
 * xid, answers 400 with the message in the body ({@code {"status": 400, "error": "Bad Request", "message": "..."}});
 * Spring Boot's error page would drop it unless {@code server.error.include-message} is set.
 */
@EndpointWebExtension(endpoint = TccEndpoint.class)
public class TccEndpointWebExtension {

    private final TccEndpoint endpoint;

    public TccEndpointWebExtension(TccEndpoint endpoint) {
        this.endpoint = endpoint;
    }

    @ReadOperation
    public WebEndpointResponse<Object> transactions(@Nullable String state, @Nullable Integer limit) {
        try {
            return new WebEndpointResponse<>(endpoint.transactions(state, limit));
        } catch (InvalidEndpointRequestException e) {
            return badRequest(e);
        }
    }

    @WriteOperation
    public WebEndpointResponse<Object> retry(@Selector String xid) {
        try {
            return new WebEndpointResponse<>(endpoint.retry(xid));
        } catch (InvalidEndpointRequestException e) {
            return badRequest(e);
        }
    }

    private static WebEndpointResponse<Object> badRequest(InvalidEndpointRequestException e) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", WebEndpointResponse.STATUS_BAD_REQUEST);
        body.put("error", "Bad Request");
        body.put("message", e.getReason());
        return new WebEndpointResponse<>(body, WebEndpointResponse.STATUS_BAD_REQUEST);
    }
}

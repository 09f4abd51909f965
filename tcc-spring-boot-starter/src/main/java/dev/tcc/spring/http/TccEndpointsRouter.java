package dev.tcc.spring.http;

import dev.tcc.runtime.TccRuntime;
import dev.tcc.runtime.http.EndpointAnswer;
import dev.tcc.runtime.http.TccHeaders;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.util.function.Supplier;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.web.servlet.function.RouterFunction;
import org.springframework.web.servlet.function.RouterFunctions;
import org.springframework.web.servlet.function.ServerRequest;
import org.springframework.web.servlet.function.ServerResponse;

/**
 * The participant and coordinator endpoints of docs/protocol.md as Spring MVC functional routes. They only pass
 * the request as received (raw path and query, signature, body) to the runtime's endpoint logic and copy its
 * answer back; authentication and idempotency live there.
 */
final class TccEndpointsRouter {

    private final Supplier<TccRuntime> runtime;

    TccEndpointsRouter(Supplier<TccRuntime> runtime) {
        this.runtime = runtime;
    }

    /**
     * {@code POST {participantPath}/{xid}/{branch}/{phase}}, {@code POST {participantPath}/batch/{phase}} and
     * {@code POST {coordinatorPath}/{xid}/{branch}/decision}.
     */
    RouterFunction<ServerResponse> routes(String participantPath, String coordinatorPath) {
        return RouterFunctions.route()
                .POST(trim(coordinatorPath) + "/{xid}/{branch}/decision", this::decision)
                .POST(trim(participantPath) + "/batch/{phase}", this::batch)
                .POST(trim(participantPath) + "/{xid}/{branch}/{phase}", this::phaseTwo)
                .build();
    }

    private ServerResponse phaseTwo(ServerRequest request) throws IOException {
        HttpServletRequest servlet = request.servletRequest();
        EndpointAnswer answer = runtime.get().participantEndpoint().handle(servlet.getMethod(), RawPath.of(servlet),
                request.pathVariable("xid"), request.pathVariable("branch"), request.pathVariable("phase"),
                request.param("action").orElse(null), servlet.getHeader(TccHeaders.SIGNATURE), body(servlet));
        return toResponse(answer);
    }

    private ServerResponse batch(ServerRequest request) throws IOException {
        HttpServletRequest servlet = request.servletRequest();
        EndpointAnswer answer = runtime.get().participantEndpoint().handleBatch(servlet.getMethod(), RawPath.of(servlet),
                request.pathVariable("phase"), servlet.getHeader(TccHeaders.SIGNATURE), body(servlet));
        return toResponse(answer);
    }

    private ServerResponse decision(ServerRequest request) throws IOException {
        HttpServletRequest servlet = request.servletRequest();
        EndpointAnswer answer = runtime.get().coordinatorEndpoint().handle(servlet.getMethod(), RawPath.of(servlet),
                request.pathVariable("xid"), request.pathVariable("branch"), servlet.getHeader(TccHeaders.SIGNATURE),
                body(servlet));
        return toResponse(answer);
    }

    private static byte[] body(HttpServletRequest request) throws IOException {
        return request.getInputStream().readAllBytes();
    }

    private static ServerResponse toResponse(EndpointAnswer answer) {
        String contentType = answer.headers().getOrDefault("Content-Type", MediaType.APPLICATION_JSON_VALUE);
        ServerResponse.BodyBuilder response = ServerResponse.status(HttpStatusCode.valueOf(answer.status()))
                .headers(headers -> answer.headers().forEach((name, value) -> {
                    if (!name.equalsIgnoreCase("Content-Type")) {
                        headers.set(name, value);
                    }
                }));
        if (answer.body() == null || answer.body().isEmpty()) {
            return response.build();
        }
        return response.contentType(MediaType.parseMediaType(contentType)).body(answer.body());
    }

    private static String trim(String path) {
        return path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    }
}

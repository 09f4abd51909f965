package dev.tcc.runtime.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/** Exposes a runtime's participant and coordinator endpoints on a JDK HTTP server, as a web framework would. */
final class EndpointServer implements AutoCloseable {

    private final HttpServer server;

    EndpointServer(ParticipantEndpoint participant, CoordinatorEndpoint coordinator) throws IOException {
        this(participant, coordinator, null);
    }

    /** @param executor handles the requests (concurrently, as a web server does); null handles one at a time */
    EndpointServer(ParticipantEndpoint participant, CoordinatorEndpoint coordinator, java.util.concurrent.Executor executor)
            throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(executor);
        server.createContext("/tcc/participant/", exchange -> {
            String[] s = segments(exchange, "/tcc/participant/");
            String query = exchange.getRequestURI().getRawQuery();
            String action = query != null && query.startsWith("action=") ? PercentEncoding.decode(query.substring(7)) : null;
            if (s.length == 2 && s[0].equals("batch")) {
                reply(exchange, participant.handleBatch(exchange.getRequestMethod(), rawPath(exchange), s[1],
                        exchange.getRequestHeaders().getFirst(TccHeaders.SIGNATURE), exchange.getRequestBody().readAllBytes()));
                return;
            }
            reply(exchange, s.length != 3 ? new EndpointAnswer(404, java.util.Map.of(), "") : participant.handle(
                    exchange.getRequestMethod(), rawPath(exchange), s[0], s[1], s[2], action,
                    exchange.getRequestHeaders().getFirst(TccHeaders.SIGNATURE), exchange.getRequestBody().readAllBytes()));
        });
        server.createContext("/tcc/coordinator/", exchange -> {
            String[] s = segments(exchange, "/tcc/coordinator/");
            reply(exchange, s.length != 3 || !s[2].equals("decision") ? new EndpointAnswer(404, java.util.Map.of(), "")
                    : coordinator.handle(exchange.getRequestMethod(), rawPath(exchange), s[0], s[1],
                    exchange.getRequestHeaders().getFirst(TccHeaders.SIGNATURE), exchange.getRequestBody().readAllBytes()));
        });
        server.start();
    }

    String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    private static String rawPath(HttpExchange exchange) {
        String query = exchange.getRequestURI().getRawQuery();
        return exchange.getRequestURI().getRawPath() + (query == null ? "" : "?" + query);
    }

    private static String[] segments(HttpExchange exchange, String base) {
        String[] raw = exchange.getRequestURI().getRawPath().substring(base.length()).split("/");
        for (int i = 0; i < raw.length; i++) {
            raw[i] = PercentEncoding.decode(raw[i]);
        }
        return raw;
    }

    private static void reply(HttpExchange exchange, EndpointAnswer answer) throws IOException {
        byte[] body = answer.body().getBytes(StandardCharsets.UTF_8);
        answer.headers().forEach((k, v) -> exchange.getResponseHeaders().add(k, v));
        exchange.sendResponseHeaders(answer.status(), body.length == 0 ? -1 : body.length);
        exchange.getResponseBody().write(body);
        exchange.close();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}

package dev.tcc.runtime.http;

import java.util.Map;

/**
 * What an endpoint of the protocol answers: status, headers (e.g. a signature) and a JSON body.
 * The web framework only copies it onto its response.
 */
public record EndpointAnswer(int status, Map<String, String> headers, String body) {

    public EndpointAnswer {
        headers = Map.copyOf(headers);
    }
}

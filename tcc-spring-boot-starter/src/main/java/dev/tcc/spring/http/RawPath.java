package dev.tcc.spring.http;

import jakarta.servlet.http.HttpServletRequest;

/** The raw path with the raw query of a request, as the caller sent it and signed it. */
final class RawPath {

    private RawPath() {
    }

    static String of(HttpServletRequest request) {
        String query = request.getQueryString();
        return query == null ? request.getRequestURI() : request.getRequestURI() + "?" + query;
    }
}

package dev.tcc.runtime.http;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The client side of the protocol's phase-two and decision calls: one shared {@link HttpClient} (connect timeout
 * from {@link HttpSettings}), each request with the read timeout, signed when a {@link Signer} is given. Hands out
 * the {@link HttpBranchParticipant} of a participant endpoint and the {@link HttpDecisionSource} of a coordinator
 * endpoint, one per URL.
 */
public final class HttpProtocolClient {

    private static final int EXCERPT = 300;

    private final HttpClient client;
    private final HttpSettings settings;
    private final Signer signer;
    private final ConcurrentMap<String, HttpBranchParticipant> participants = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, HttpDecisionSource> coordinators = new ConcurrentHashMap<>();

    /**
     * @param settings timeouts
     * @param signer   signs requests and verifies signed answers; null when calls are not signed
     */
    public HttpProtocolClient(HttpSettings settings, Signer signer) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.signer = signer;
        this.client = HttpClient.newBuilder().connectTimeout(settings.connectTimeout()).version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER).build();
    }

    /** The participant endpoint at {@code baseUrl}, as a branch participant whose id is that URL. */
    public HttpBranchParticipant participant(String baseUrl) {
        return participants.computeIfAbsent(baseUrl, url -> new HttpBranchParticipant(url, this, settings.readTimeout()));
    }

    /** The coordinator endpoint at {@code coordinatorUrl}, as a decision source. */
    public HttpDecisionSource decisionSource(String coordinatorUrl) {
        return coordinators.computeIfAbsent(coordinatorUrl, url -> new HttpDecisionSource(url, this));
    }

    Signer signer() {
        return signer;
    }

    /** {@code base} without a trailing slash, then the segments, each percent-encoded. */
    static URI uri(String base, String query, String... segments) {
        StringBuilder url = new StringBuilder(base.endsWith("/") ? base.substring(0, base.length() - 1) : base);
        for (String segment : segments) {
            // a segment of dots only would be normalised away by servers and proxies (RFC 3986, 5.2.4): encode them
            url.append('/').append(segment.matches("\\.+") ? segment.replace(".", "%2E") : PercentEncoding.unreserved(segment));
        }
        if (query != null) {
            url.append('?').append(query);
        }
        return URI.create(url.toString());
    }

    /** The raw path with the raw query, as signed. */
    static String signedPath(URI uri) {
        return uri.getRawQuery() == null ? uri.getRawPath() : uri.getRawPath() + "?" + uri.getRawQuery();
    }

    /** Sends an empty-bodied, signed POST; the answer, whatever its status. */
    Answer post(URI uri, Signed what) throws IOException, InterruptedException {
        return post(uri, what, null);
    }

    /** Sends a signed POST with {@code body} ({@code what} must cover the same bytes); the answer, whatever its status. */
    Answer post(URI uri, Signed what, byte[] body) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(settings.readTimeout())
                .POST(body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        settings.requestHeaders().headersFor(uri).forEach(request::header);
        String signature = null;
        if (signer != null) {
            signature = signer.sign(what);
            request.header(TccHeaders.SIGNATURE, signature);
        }
        HttpResponse<byte[]> response = client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        return new Answer(response.statusCode(), response.body() == null ? new byte[0] : response.body(),
                response.headers().firstValue(TccHeaders.SIGNATURE).orElse(null), signature);
    }

    /**
     * An answer.
     *
     * @param status          HTTP status
     * @param body            body bytes
     * @param signature       its {@code Tcc-Signature}, null when absent
     * @param requestSignature the signature sent with the request, null when unsigned
     * @param batchLine       a status read from a line of the endpoint's batch answer, not an answer of its own
     */
    record Answer(int status, byte[] body, String signature, String requestSignature, boolean batchLine) {

        Answer(int status, byte[] body, String signature, String requestSignature) {
            this(status, body, signature, requestSignature, false);
        }

        /** The status one line of a batch answer gave a branch. */
        static Answer ofBatchLine(int status) {
            return new Answer(status, "(a line of a batch answer)".getBytes(StandardCharsets.UTF_8), null, null, true);
        }

        /**
         * Whether this is the participant endpoint's own answer about this branch: a line of its batch answer, or a
         * body whose JSON names both (a proxy's 404 does not).
         */
        boolean namesBranch(String xid, String branch) {
            if (batchLine) {
                return true;
            }
            String text = new String(body, StandardCharsets.UTF_8);
            return text.contains("\"xid\":\"" + xid + "\"") && text.contains("\"branch\":\"" + branch + "\"");
        }

        /** Status and the start of the body, for a message. */
        String describe() {
            String text = new String(body, StandardCharsets.UTF_8).strip();
            if (text.length() > EXCERPT) {
                text = text.substring(0, EXCERPT) + "...";
            }
            return "HTTP " + status + (text.isEmpty() ? "" : ": " + text);
        }
    }
}

package dev.tcc.spring.http.services;

import dev.tcc.runtime.http.Signed;
import dev.tcc.runtime.http.Signer;
import dev.tcc.runtime.http.SigningKeys;
import dev.tcc.runtime.http.TccHeaders;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;

/** Requests of the protocol made by hand, signed (or not) as a test needs, with the JDK's client. */
public final class SignedCalls {

    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();

    private SignedCalls() {
    }

    /** The keys every test service has. */
    public static SigningKeys sharedKeys() {
        return new SigningKeys(RunningService.KEY_ID, Map.of(RunningService.KEY_ID, RunningService.SECRET), Duration.ofSeconds(30));
    }

    /** A signer with the shared key and the system clock. */
    public static Signer signer() {
        return new Signer(sharedKeys(), Clock.systemUTC());
    }

    /** The path of a phase-two request to a participant endpoint, with its action. */
    public static String phaseTwoPath(String xid, Object branch, String phase, String action) {
        return "/tcc/participant/" + xid + "/" + branch + "/" + phase + (action == null ? "" : "?action=" + action);
    }

    /** The signature of a phase-two request (empty body). */
    public static String signPhaseTwo(Signer signer, String path, String xid, Object branch, String phase) {
        return signer.sign(new Signed("POST", path, xid, String.valueOf(branch), phase.toUpperCase(java.util.Locale.ROOT), new byte[0]));
    }

    /**
     * The context headers of a call to {@code url} made inside a transaction, signed by {@code signer} over what is given here
     * (a test then sends something else to tamper with it).
     */
    public static Map<String, String> contextHeaders(Signer signer, String url, String xid, String range,
                                                     String timeout, String coordinator, byte[] body) {
        URI target = URI.create(url); // the service called is signed too (its Host header)
        String pathAndQuery = target.getRawQuery() == null ? target.getRawPath() : target.getRawPath() + "?" + target.getRawQuery();
        String host = target.getPort() == -1 ? target.getHost() : target.getHost() + ":" + target.getPort();
        String signature = signer == null ? null
                : signer.sign(Signed.tryCall("POST", host, pathAndQuery, xid, range, timeout, coordinator, body));
        Map<String, String> headers = new java.util.LinkedHashMap<>();
        headers.put(TccHeaders.XID, xid);
        headers.put(TccHeaders.BRANCH_RANGE, range);
        headers.put(TccHeaders.TIMEOUT, timeout);
        headers.put(TccHeaders.COORDINATOR, coordinator);
        headers.put(TccHeaders.SIGNATURE, signature);
        return headers;
    }

    /** A transaction timeout as the header carries it, {@code seconds} from now. */
    public static String timeoutIn(long seconds) {
        return java.time.Instant.now().plusSeconds(seconds).truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString();
    }

    /** POSTs {@code body} to {@code url} with the headers given (a null value leaves the header out). */
    public static HttpResponse<String> post(String url, Map<String, String> headers, byte[] body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        headers.forEach((name, value) -> {
            if (value != null) {
                request.header(name, value);
            }
        });
        try {
            return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** GETs {@code url}. */
    public static HttpResponse<String> get(String url) {
        try {
            return CLIENT.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A phase-two request with a signature header (or none). */
    public static HttpResponse<String> phaseTwo(RunningService participant, String path, String signature) {
        return post(participant.url(path), signature == null ? Map.of() : Map.of(TccHeaders.SIGNATURE, signature), new byte[0]);
    }
}

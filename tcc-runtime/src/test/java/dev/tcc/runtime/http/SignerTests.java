package dev.tcc.runtime.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tcc.runtime.testing.MutableClock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SignerTests {

    private static final String SECRET = "s3cr3t-value-never-logged";
    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-03T10:00:00Z"));
    private final Signer signer = new Signer(new SigningKeys("k1", Map.of("k1", SECRET), Duration.ofSeconds(30)), clock);

    private static Signed confirm() {
        return Signed.phaseCall("/tcc/participant/x-1/7/confirm?action=hold", "x-1", "7", "CONFIRM");
    }

    @Test
    void aSignatureVerifiesAndHasTheDocumentedShape() {
        String header = signer.sign(confirm());

        assertThat(header).matches("v1;key=k1;ts=1796292000;sig=[A-Za-z0-9_-]{43}");
        assertThatCode(() -> signer.verify(confirm(), header)).doesNotThrowAnyException();
        assertThat(Signer.sigOf(header)).isEqualTo(header.substring(header.indexOf("sig=") + 4));
    }

    @Test
    void theSignatureIsTheHmacOfTheDocumentedCanonicalString() throws Exception {
        javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
        mac.init(new javax.crypto.spec.SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        String emptyDigest = java.util.Base64.getUrlEncoder().withoutPadding()
                .encodeToString(java.security.MessageDigest.getInstance("SHA-256").digest(new byte[0]));
        String canonical = "TCC-HMAC-SHA256\nPOST\n/tcc/participant/x-1/7/confirm?action=hold\nx-1\n7\nCONFIRM\n"
                + emptyDigest + "\n1796292000";
        String expected = java.util.Base64.getUrlEncoder().withoutPadding()
                .encodeToString(mac.doFinal(canonical.getBytes(StandardCharsets.UTF_8)));

        assertThat(Signer.sigOf(signer.sign(confirm()))).isEqualTo(expected);
    }

    @Test
    void everyTamperedPartFailsToVerify() {
        Signed original = new Signed("POST", "/flights/holds?seats=2", "x-1", "1001-1999", "TRY", "{\"a\":1}".getBytes());
        String header = signer.sign(original);
        List<Signed> tampered = List.of(
                new Signed("PUT", original.path(), "x-1", "1001-1999", "TRY", original.body()),
                new Signed("POST", "/flights/other?seats=2", "x-1", "1001-1999", "TRY", original.body()),
                new Signed("POST", "/flights/holds?seats=3", "x-1", "1001-1999", "TRY", original.body()),
                new Signed("POST", original.path(), "x-2", "1001-1999", "TRY", original.body()),
                new Signed("POST", original.path(), "x-1", "1001-1998", "TRY", original.body()),
                new Signed("POST", original.path(), "x-1", "1001-1999", "REGISTER", original.body()),
                new Signed("POST", original.path(), "x-1", "1001-1999", "TRY", "{\"a\":2}".getBytes()));
        for (Signed t : tampered) {
            assertThatThrownBy(() -> signer.verify(t, header)).as(t.toString())
                    .isInstanceOf(AuthenticationFailedException.class).hasMessageContaining("does not match")
                    .hasMessageNotContaining(SECRET);
        }
    }

    @Test
    void aConfirmSignatureDoesNotAuthenticateACancel() {
        String header = signer.sign(Signed.phaseCall("/p/x-1/7/confirm?action=hold", "x-1", "7", "confirm"));

        assertThatThrownBy(() -> signer.verify(Signed.phaseCall("/p/x-1/7/confirm?action=hold", "x-1", "7", "cancel"), header))
                .isInstanceOf(AuthenticationFailedException.class);
    }

    @Test
    void timeoutAndCoordinatorAreCoveredOnATry() {
        String header = signer.sign(Signed.tryCall("POST", "flights:8080", "/h", "x-1", "2-9", "2026-12-03T10:01:00Z", "http://a/c", new byte[0]));

        assertThatCode(() -> signer.verify(Signed.tryCall("POST", "flights:8080", "/h", "x-1", "2-9", "2026-12-03T10:01:00Z", "http://a/c",
                null), header)).doesNotThrowAnyException();
        assertThatThrownBy(() -> signer.verify(Signed.tryCall("POST", "flights:8080", "/h", "x-1", "2-9", "2026-12-03T11:01:00Z",
                "http://a/c", null), header)).isInstanceOf(AuthenticationFailedException.class);
        assertThatThrownBy(() -> signer.verify(Signed.tryCall("POST", "flights:8080", "/h", "x-1", "2-9", "2026-12-03T10:01:00Z",
                "http://evil/c", null), header)).isInstanceOf(AuthenticationFailedException.class);
    }

    @Test
    void aRegistrationWithTheCancelOnlyMarkDoesNotVerifyWithoutIt() {
        String header = signer.sign(Signed.registration("abc", "/h", "x-1", List.of("3;action=a;participant=/p;hold=2026-12-03T10:00:00Z"), "failed"));

        assertThatThrownBy(() -> signer.verify(Signed.registration("abc", "/h", "x-1",
                List.of("3;action=a;participant=/p;hold=2026-12-03T10:00:00Z", "failed"), null), header))
                .isInstanceOf(AuthenticationFailedException.class);
        assertThatThrownBy(() -> signer.verify(Signed.registration("abd", "/h", "x-1",
                List.of("3;action=a;participant=/p;hold=2026-12-03T10:00:00Z"), "failed"), header))
                .isInstanceOf(AuthenticationFailedException.class);
    }

    @Test
    void aTimestampBeyondTheSkewIsRefusedEitherWay() {
        String header = signer.sign(confirm());

        clock.advance(Duration.ofSeconds(30));
        assertThatCode(() -> signer.verify(confirm(), header)).doesNotThrowAnyException();
        clock.advance(Duration.ofSeconds(1));
        assertThatThrownBy(() -> signer.verify(confirm(), header)).isInstanceOf(AuthenticationFailedException.class)
                .hasMessageContaining("31 s").hasMessageContaining("allowed 30 s");

        clock.advance(Duration.ofSeconds(-62)); // the sender's clock is 31 s ahead
        assertThatThrownBy(() -> signer.verify(confirm(), header)).isInstanceOf(AuthenticationFailedException.class)
                .hasMessageContaining("31 s");
    }

    @Test
    void anUnknownKeyIdIsRefusedByName() {
        Signer other = new Signer(new SigningKeys("k9", Map.of("k9", SECRET), Duration.ofSeconds(30)), clock);

        assertThatThrownBy(() -> signer.verify(confirm(), other.sign(confirm())))
                .isInstanceOf(AuthenticationFailedException.class).hasMessageContaining("'k9'").hasMessageNotContaining(SECRET);
    }

    @Test
    void aDifferentSecretUnderTheSameKeyIdDoesNotMatch() {
        Signer other = new Signer(new SigningKeys("k1", Map.of("k1", "another"), Duration.ofSeconds(30)), clock);

        assertThatThrownBy(() -> signer.verify(confirm(), other.sign(confirm())))
                .isInstanceOf(AuthenticationFailedException.class).hasMessageContaining("does not match");
    }

    @Test
    void duringARotationBothKeysAreAccepted() {
        Map<String, String> both = Map.of("old", "old-secret", "new", "new-secret");
        Signer oldSender = new Signer(new SigningKeys("old", both, Duration.ofSeconds(30)), clock);
        Signer newSender = new Signer(new SigningKeys("new", both, Duration.ofSeconds(30)), clock);
        Signer receiver = new Signer(new SigningKeys("new", both, Duration.ofSeconds(30)), clock);

        assertThatCode(() -> receiver.verify(confirm(), oldSender.sign(confirm()))).doesNotThrowAnyException();
        assertThatCode(() -> receiver.verify(confirm(), newSender.sign(confirm()))).doesNotThrowAnyException();
        assertThat(newSender.sign(confirm())).startsWith("v1;key=new;");
    }

    @Test
    void aMissingOrMalformedSignatureIsRefused() {
        String good = signer.sign(confirm());
        for (String missing : new String[] {null, "", "  "}) {
            assertThatThrownBy(() -> signer.verify(confirm(), missing)).isInstanceOf(AuthenticationFailedException.class)
                    .hasMessageContaining("no Tcc-Signature");
        }
        for (String malformed : new String[] {"v2" + good.substring(2), good.replace(";ts=", ";t="), good + ";x=1",
                good.substring(0, good.length() - 1), good.replace("key=k1", "key=k;1"), "v1;key=k1;ts=-5;sig=abc",
                good.replace("ts=", "ts=99999999999999")}) {
            assertThatThrownBy(() -> signer.verify(confirm(), malformed)).as(malformed)
                    .isInstanceOf(AuthenticationFailedException.class).hasMessageContaining("malformed");
        }
        assertThatThrownBy(() -> Signer.sigOf("nonsense")).isInstanceOf(AuthenticationFailedException.class);
    }

    @Test
    void keysThatCannotBeWrittenInTheHeaderAreRefusedAtConstruction() {
        assertThatThrownBy(() -> new Signer(new SigningKeys("a;b", Map.of("a;b", "x"), Duration.ofSeconds(1)), clock))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'a;b'");
        assertThat(new SigningKeys("k1", Map.of("k1", SECRET), Duration.ofSeconds(1)).toString()).doesNotContain(SECRET);
    }

    @Test
    void signaturesMadeAndCheckedOnManyThreadsAtOnceAreTheOnesMadeAlone() throws Exception {
        // the signer keeps one initialised Mac per key and copies it: a copy shared between threads would mix their data
        int threads = 8;
        int each = 300;
        List<Signed> calls = new java.util.ArrayList<>();
        List<String> alone = new java.util.ArrayList<>();
        for (int i = 0; i < threads * each; i++) {
            Signed call = new Signed("POST", "/holds/" + i, "x-" + i, String.valueOf(i), "TRY", ("{\"n\":" + i + "}").getBytes());
            calls.add(call);
            alone.add(signer.sign(call));
        }
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
        try {
            java.util.concurrent.CountDownLatch start = new java.util.concurrent.CountDownLatch(1);
            List<java.util.concurrent.Future<List<String>>> results = new java.util.ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int first = t * each;
                results.add(pool.submit(() -> {
                    start.await();
                    List<String> signed = new java.util.ArrayList<>();
                    for (int i = first; i < first + each; i++) {
                        signed.add(signer.sign(calls.get(i)));
                        signer.verify(calls.get(i), alone.get(i));
                    }
                    return signed;
                }));
            }
            start.countDown();
            List<String> together = new java.util.ArrayList<>();
            for (java.util.concurrent.Future<List<String>> result : results) {
                together.addAll(result.get(30, java.util.concurrent.TimeUnit.SECONDS));
            }
            assertThat(together).isEqualTo(alone);
        } finally {
            pool.shutdownNow();
        }
    }
}

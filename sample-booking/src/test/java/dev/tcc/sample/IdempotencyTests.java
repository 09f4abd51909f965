package dev.tcc.sample;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** A retry with the same Idempotency-Key returns the original outcome and never books twice. */
class IdempotencyTests extends AbstractBookingHttpTests {

    @Test
    void aRetryWithTheSameKeyReturnsTheOriginalOutcomeAndBooksOnce() {
        String flight = newFlight(10);
        String hotel = newHotel(5);
        String card = newCard("5000", false);
        String key = UUID.randomUUID().toString();
        Map<String, Object> body = trip(flight, 2, hotel, 1, card, null);

        Response first = post("/bookings", body, key);
        Response retry = post("/bookings", body, key);

        assertThat(first.status()).isEqualTo(201);
        assertThat(first.header("Idempotent-Replayed")).isEqualTo("false");
        assertThat(retry.status()).isEqualTo(201);
        assertThat(retry.header("Idempotent-Replayed")).isEqualTo("true");
        assertThat(retry.body()).isEqualTo(first.body());
        await().atMost(SETTLE).untilAsserted(() -> assertThat(intOf(item("flights", flight), "confirmed")).isEqualTo(2));
        assertThat(intOf(item("flights", flight), "available")).as("booked once").isEqualTo(8);
        assertThat(intOf(item("hotels", hotel), "available")).isEqualTo(4);
    }

    @Test
    void aRetryOfACancelledBookingReturnsTheSameCancellation() {
        String flight = newFlight(3);
        String hotel = newHotel(3);
        String card = newCard("5000", true);
        String key = UUID.randomUUID().toString();
        Map<String, Object> body = trip(flight, 1, hotel, 1, card, null);

        Response first = post("/bookings", body, key);
        Response retry = post("/bookings", body, key);

        assertThat(first.status()).isEqualTo(422);
        assertThat(retry.status()).isEqualTo(422);
        assertThat(retry.body().get("id")).isEqualTo(first.body().get("id"));
        assertThat(retry.body().get("reason")).isEqualTo(first.body().get("reason"));
        await().atMost(SETTLE).untilAsserted(() -> assertThat(holdStates(first.body().get("xid").asString()))
                .containsExactlyInAnyOrder("flights:RELEASED", "hotels:RELEASED"));
    }

    @Test
    void theSameKeyWithADifferentBodyIsAConflictAndBooksNothing() {
        String flight = newFlight(10);
        String hotel = newHotel(5);
        String card = newCard("5000", false);
        String key = UUID.randomUUID().toString();

        Response first = post("/bookings", trip(flight, 1, hotel, 1, card, null), key);
        Response reused = post("/bookings", trip(flight, 3, hotel, 1, card, null), key);

        assertThat(first.status()).isEqualTo(201);
        assertThat(reused.status()).isEqualTo(409);
        assertThat(reused.body().get("detail").asString()).contains("already used for a different request");
        assertThat(reused.body().get("bookingId").asString()).isEqualTo(first.body().get("id").asString());
        await().atMost(SETTLE).untilAsserted(() -> assertThat(intOf(item("flights", flight), "confirmed")).isEqualTo(1));
        assertThat(intOf(item("flights", flight), "available")).isEqualTo(9);
    }

    @Test
    void concurrentRequestsWithOneKeyBookOnce() throws Exception {
        String flight = newFlight(20);
        String hotel = newHotel(20);
        String card = newCard("5000", false);
        String key = UUID.randomUUID().toString();
        Map<String, Object> body = trip(flight, 1, hotel, 1, card, null);

        int clients = 8;
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        List<Future<Response>> futures = new ArrayList<>();
        try {
            for (int i = 0; i < clients; i++) {
                futures.add(pool.submit(() -> {
                    start.await();
                    return post("/bookings", body, key);
                }));
            }
            start.countDown();
            List<Response> responses = new ArrayList<>();
            for (Future<Response> f : futures) {
                responses.add(f.get(60, TimeUnit.SECONDS));
            }
            // each got the one booking's outcome, or 409 while it was still running
            assertThat(responses).allSatisfy(r -> assertThat(r.status()).isIn(201, 409));
            assertThat(responses).filteredOn(r -> r.status() == 201).extracting(r -> r.body().get("id").asString()).isNotEmpty()
                    .containsOnly(responses.stream().filter(r -> r.status() == 201).findFirst().orElseThrow().body().get("id").asString());
            assertThat(responses).filteredOn(r -> r.status() == 409)
                    .allSatisfy(r -> assertThat(r.body().get("detail").asString()).contains("still running"));
        } finally {
            pool.shutdownNow();
        }
        Response after = post("/bookings", body, key);
        assertThat(after.status()).isEqualTo(201);
        await().atMost(SETTLE).untilAsserted(() -> assertThat(intOf(item("flights", flight), "confirmed")).isEqualTo(1));
        JsonNode f = item("flights", flight);
        assertThat(intOf(f, "available")).as("booked exactly once").isEqualTo(19);
        assertThat(intOf(f, "pending")).isZero();
    }
}

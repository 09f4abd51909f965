package dev.tcc.sample;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Many clients competing for few seats never oversell, and every hold ends. */
class ConcurrentBookingTests extends AbstractBookingHttpTests {

    static final int CLIENTS = 64;
    static final int SEATS = 20;

    @Test
    void sixtyFourClientsCompetingForTwentySeatsNeverOversellAndEveryHoldEnds() throws Exception {
        String flight = newFlight(SEATS);
        String hotel = newHotel(CLIENTS);
        String card = newCard("1000000", false);

        CountDownLatch start = new CountDownLatch(1);
        ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
        List<Future<Response>> futures = new ArrayList<>();
        try {
            for (int i = 0; i < CLIENTS; i++) {
                futures.add(clients.submit(() -> {
                    start.await();
                    return post("/bookings", trip(flight, 1, hotel, 1, card, null), null);
                }));
            }
            start.countDown();
            List<Response> responses = new ArrayList<>();
            for (Future<Response> f : futures) {
                responses.add(f.get(90, TimeUnit.SECONDS));
            }

            List<Response> confirmed = responses.stream().filter(r -> r.status() == 201).toList();
            List<Response> cancelled = responses.stream().filter(r -> r.status() == 422).toList();
            assertThat(confirmed.size() + cancelled.size()).as("every client got an outcome").isEqualTo(CLIENTS);
            assertThat(confirmed).as("confirmed bookings").hasSizeLessThanOrEqualTo(SEATS).isNotEmpty();
            assertThat(cancelled).allSatisfy(r -> assertThat(r.body().get("reason").asString()).contains("sold out"));
            // with only sold-out refusals and no expired holds, every seat is sold
            assertThat(confirmed).hasSize(SEATS);

            await("every hold ended").atMost(SETTLE).untilAsserted(() -> {
                JsonNode f = item("flights", flight);
                JsonNode h = item("hotels", hotel);
                assertThat(intOf(f, "pending")).isZero();
                assertThat(intOf(h, "pending")).isZero();
                for (Response r : confirmed) {
                    assertThat(holdStates(r.body().get("xid").asString()))
                            .containsExactlyInAnyOrder("flights:CONFIRMED", "hotels:CONFIRMED", "payments:CONFIRMED");
                }
            });
            JsonNode f = item("flights", flight);
            assertThat(intOf(f, "confirmed")).isEqualTo(confirmed.size()).isLessThanOrEqualTo(SEATS);
            assertThat(intOf(f, "available") + intOf(f, "confirmed")).as("seats add up").isEqualTo(SEATS);
            JsonNode h = item("hotels", hotel);
            assertThat(intOf(h, "confirmed")).as("one room per confirmed booking").isEqualTo(confirmed.size());
            assertThat(intOf(h, "available") + intOf(h, "confirmed")).as("rooms add up").isEqualTo(CLIENTS);
            JsonNode c = item("payments", "**** " + card.substring(card.length() - 4));
            assertThat(c.get("pending").decimalValue()).isZero();
            assertThat(c.get("confirmed").decimalValue()).isEqualByComparingTo(String.valueOf(150 * confirmed.size()));
            assertThat(c.get("available").decimalValue().add(c.get("confirmed").decimalValue())).isEqualByComparingTo("1000000");
        } finally {
            clients.shutdownNow();
        }
    }
}

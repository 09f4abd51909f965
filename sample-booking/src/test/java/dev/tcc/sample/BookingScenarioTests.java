package dev.tcc.sample;

import java.net.ConnectException;
import java.net.Socket;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Every path of a booking, end to end over HTTP across the four services: confirm, each compensation,
 * recovery after a real outage, and bad input.
 */
class BookingScenarioTests extends AbstractBookingHttpTests {

    @Test
    void aConfirmedBookingMakesEveryHoldFinal() {
        String flight = newFlight(10);
        String hotel = newHotel(5);
        String card = newCard("5000", false);

        Response response = post("/bookings", trip(flight, 2, hotel, 3, card, null), null);

        assertThat(response.status()).isEqualTo(201);
        JsonNode booking = response.body();
        assertThat(booking.get("status").asString()).isEqualTo("CONFIRMED");
        assertThat(booking.get("amount").decimalValue()).isEqualByComparingTo("350.00"); // 2 x 100 + 1 room x 3 nights x 50
        assertThat(response.header("Location")).isEqualTo("/bookings/" + booking.get("id").asString());
        String xid = booking.get("xid").asString();

        await("every hold confirmed").atMost(SETTLE).untilAsserted(() -> {
            assertThat(holdStates(xid)).containsExactlyInAnyOrder("flights:CONFIRMED", "hotels:CONFIRMED", "payments:CONFIRMED");
            assertThat(transaction(xid).get("state").asString()).isEqualTo("CONFIRMED");
        });
        JsonNode tx = transaction(xid);
        assertThat(tx.get("bookingId").asString()).isEqualTo(booking.get("id").asString());
        assertThat(tx.get("branches")).extracting(b -> b.get("action").asString() + ":" + b.get("state").asString())
                .containsExactly("holdSeats:CONFIRMED", "holdRooms:CONFIRMED", "authorize:CONFIRMED");
        // each branch lives in its own service, reached at that service's participant endpoint
        assertThat(tx.get("branches")).extracting(b -> b.get("service").asString()).containsExactly("flights", "hotels", "payments");
        for (JsonNode branch : tx.get("branches")) {
            assertThat(branch.get("participant").asString()).startsWith(fleet().url(branch.get("service").asString()) + "/");
        }
        assertAccounting(flight, hotel, card, 2, 1, "350.00", 0, 0, "0");
        assertThat(get("/bookings/" + booking.get("id").asString()).body().get("status").asString()).isEqualTo("CONFIRMED");
    }

    @Test
    void aDeclinedPaymentReleasesTheSeatsAndRoomsAlreadyHeld() {
        String flight = newFlight(10);
        String hotel = newHotel(5);
        String card = newCard("5000", true);

        Response response = post("/bookings", trip(flight, 3, hotel, 2, card, null), null);

        assertThat(response.status()).isEqualTo(422);
        assertThat(response.body().get("status").asString()).isEqualTo("CANCELLED");
        assertThat(response.body().get("reason").asString()).contains("Payment declined");
        String xid = response.body().get("xid").asString();
        await("seats and rooms released").atMost(SETTLE).untilAsserted(() -> {
            assertThat(holdStates(xid)).containsExactlyInAnyOrder("flights:RELEASED", "hotels:RELEASED");
            assertThat(transaction(xid).get("state").asString()).isEqualTo("CANCELLED");
        });
        assertThat(transaction(xid).get("branches")).extracting(b -> b.get("action").asString() + ":" + b.get("state").asString())
                .containsExactlyInAnyOrder("holdSeats:CANCELLED", "holdRooms:CANCELLED");
        assertAccounting(flight, hotel, card, 0, 0, "0", 0, 0, "0");
        assertThat(intOf(item("flights", flight), "available")).isEqualTo(10);
        assertThat(intOf(item("hotels", hotel), "available")).isEqualTo(5);
    }

    @Test
    void theDeclinedScenarioReleasesTheHoldsOfAGoodCardToo() {
        String flight = newFlight(4);
        String hotel = newHotel(2);
        String card = newCard("5000", false);

        Response response = post("/bookings", trip(flight, 1, hotel, 1, card, "PAYMENT_DECLINED"), null);

        assertThat(response.status()).isEqualTo(422);
        String xid = response.body().get("xid").asString();
        await().atMost(SETTLE).untilAsserted(() ->
                assertThat(holdStates(xid)).containsExactlyInAnyOrder("flights:RELEASED", "hotels:RELEASED"));
        assertAccounting(flight, hotel, card, 0, 0, "0", 0, 0, "0");
    }

    @Test
    void aSoldOutFlightIsATrustedRefusalThatCancelsTheBookingWithNothingInDoubt() {
        String flight = newFlight(1);
        String hotel = newHotel(2);
        String card = newCard("5000", false);

        // the refusal's reason has a comma: "Flight ... is sold out: 2 seat(s) requested, 1 left"
        Response response = post("/bookings", trip(flight, 2, hotel, 1, card, null), null);

        assertThat(response.status()).isEqualTo(422);
        assertThat(response.body().get("reason").asString()).contains("is sold out", "requested, 1 left");
        String xid = response.body().get("xid").asString();
        // the flights service's signed answer was trusted: nothing was held, so nothing is left to cancel; an answer it
        // could not trust would have left the call in doubt, a 'call <range>' branch cancelled in phase two
        JsonNode tx = transaction(xid);
        if (tx != null) {
            assertThat(tx.get("branches")).as("branches of %s", xid).isEmpty();
        }
        assertThat(holdStates(xid)).isEmpty();
        assertThat(intOf(item("flights", flight), "available")).isEqualTo(1);
    }

    @Test
    void aHoldThatExpiresBeforeConfirmationIsReleasedByItselfAndTheBookingIsCancelled() {
        String flight = newFlight(6);
        String hotel = newHotel(3);
        String card = newCard("5000", false);

        // the hotel answers after the flight's hold (5 s) + expiry grace + two recovery passes
        Response response = post("/bookings", trip(flight, 2, hotel, 1, card, "HOTEL_SLOW"), null);

        assertThat(response.status()).isEqualTo(422);
        JsonNode booking = response.body();
        assertThat(booking.get("status").asString()).isEqualTo("CANCELLED");
        assertThat(booking.get("reason").asString()).contains("hold expired");
        String xid = booking.get("xid").asString();
        // the seat hold was released by the flights service itself, at expiry, while the hotel was still busy
        JsonNode seatHold = hold(xid, "flights");
        assertThat(seatHold.get("state").asString()).isEqualTo("RELEASED");
        assertThat(seatHold.get("finishedAt").asLong()).isGreaterThanOrEqualTo(seatHold.get("expiresAt").asLong())
                .isLessThanOrEqualTo(booking.get("updatedAt").asLong());
        await("every hold ended").atMost(SETTLE).untilAsserted(() -> {
            assertThat(holdStates(xid)).isNotEmpty().allMatch(s -> s.endsWith(":RELEASED"));
            JsonNode tx = transaction(xid);
            assertThat(tx).isNotNull();
            assertThat(tx.get("state").asString()).isEqualTo("CANCELLED");
        });
        assertAccounting(flight, hotel, card, 0, 0, "0", 0, 0, "0");
        assertThat(intOf(item("flights", flight), "available")).isEqualTo(6);
    }

    @Test
    void whenAParticipantIsDownAfterItsTryTheDecidedConfirmIsRetriedAndRecoveryFinishesIt() throws Exception {
        String flight = newFlight(6);
        String hotel = newHotel(3);
        String card = newCard("5000", false);

        Response response = post("/bookings", trip(flight, 1, hotel, 1, card, "PAYMENT_DOWN"), null);

        assertThat(response.status()).isEqualTo(201);
        String xid = response.body().get("xid").asString();
        // the decision is durable: the booking is confirmed, but the payment's confirm cannot get through yet
        JsonNode down = get("/participants").body().get("services").get(2);
        assertThat(down.get("service").asString()).isEqualTo("payments");
        assertThat(down.get("down").asBoolean()).isTrue();
        // a real outage: the payments service's port refuses connections, and the page shows it unreachable
        assertThatThrownBy(() -> new Socket("localhost", fleet().port("payments")).close()).isInstanceOf(ConnectException.class);
        assertThat(service("payments").get("reachable").asBoolean()).isFalse();
        assertThat(paymentHoldStates(xid)).containsExactly("PENDING");
        assertThat(transaction(xid).get("state").asString()).isEqualTo("CONFIRMING");

        await("recovery confirms the payment once the service is back").atMost(SETTLE).untilAsserted(() -> {
            assertThat(holdStates(xid)).containsExactlyInAnyOrder("flights:CONFIRMED", "hotels:CONFIRMED", "payments:CONFIRMED");
            assertThat(transaction(xid).get("state").asString()).isEqualTo("CONFIRMED");
        });
        JsonNode payment = transaction(xid).get("branches").get(2);
        assertThat(payment.get("action").asString()).isEqualTo("authorize");
        assertThat(transaction(xid).get("rounds").asInt()).as("phase-two rounds before the confirm got through").isGreaterThan(0);
        assertAccounting(flight, hotel, card, 1, 1, "150.00", 0, 0, "0");
    }

    @Test
    void aTripThroughAServiceThatIsDownIsCancelledAndEveryHoldTakenIsReleasedOnceItIsBack() {
        String flight = newFlight(5);
        String hotel = newHotel(2);
        String card = newCard("5000", false);
        assertThat(post("/participants/payments/outage?seconds=5", "", null).status()).isEqualTo(200);

        Response response = post("/bookings", trip(flight, 1, hotel, 1, card, null), null);

        assertThat(response.status()).isEqualTo(422);
        assertThat(response.body().get("reason").asString()).contains("payments service", "did not answer");
        String xid = response.body().get("xid").asString();
        await("seats and rooms released, the call to payments cancelled once it is back").atMost(SETTLE).untilAsserted(() -> {
            assertThat(get("/participants").body().get("services").get(2).get("down").asBoolean()).isFalse();
            assertThat(holdStates(xid)).containsExactlyInAnyOrder("flights:RELEASED", "hotels:RELEASED");
            assertThat(transaction(xid).get("state").asString()).isEqualTo("CANCELLED");
        });
        assertAccounting(flight, hotel, card, 0, 0, "0", 0, 0, "0");
    }

    @Test
    void badInputIsRefusedWith400AndAClearMessageAndChangesNothing() {
        String flight = newFlight(5);
        String hotel = newHotel(2);
        String card = newCard("5000", false);
        long bookingsBefore = bookingCount();

        Response invalid = post("/bookings", Map.of("flight", flight, "seats", 0, "hotel", "NOPE", "nights", 2, "card", "12ab",
                "simulate", "EXPLODE"), null);
        assertThat(invalid.status()).isEqualTo(400);
        assertThat(invalid.body().get("errors")).extracting(JsonNode::asString).anySatisfy(e -> assertThat(e).contains("seats must be between 1 and 9"))
                .anySatisfy(e -> assertThat(e).contains("unknown hotel [NOPE]"))
                .anySatisfy(e -> assertThat(e).contains("card must be 12 to 19 digits"))
                .anySatisfy(e -> assertThat(e).contains("simulate must be one of"));

        Response missing = post("/bookings", Map.of("flight", flight), null);
        assertThat(missing.status()).isEqualTo(400);
        assertThat(missing.body().get("detail").asString()).contains("seats is required", "hotel is required", "nights is required",
                "card is required");

        Response malformed = post("/bookings", "{\"flight\": \"" + flight + "\", \"seats\": \"two\"}", null);
        assertThat(malformed.status()).isEqualTo(400);
        assertThat(malformed.body().get("detail").asString()).contains("not a valid booking request");

        Response notJson = post("/bookings", "{bad", null);
        assertThat(notJson.status()).isEqualTo(400);

        assertThat(bookingCount()).isEqualTo(bookingsBefore);
        assertAccounting(flight, hotel, card, 0, 0, "0", 0, 0, "0");
        assertThat(intOf(item("flights", flight), "available")).isEqualTo(5);
    }

    /** The payments service's holds of {@code xid}, read from its database (the service may be down). */
    private static List<String> paymentHoldStates(String xid) {
        return database("payments").sql("SELECT state FROM payment_hold WHERE xid = ?").param(xid).query(String.class).list();
    }

    private long bookingCount() {
        JsonNode counts = get("/inventory").body().get("bookings");
        long total = 0;
        for (String status : List.of("PENDING", "CONFIRMED", "CANCELLED")) {
            total += counts.has(status) ? counts.get(status).asLong() : 0;
        }
        return total;
    }

    /** Confirmed and pending quantities of the test's own flight, hotel and card; available + held + confirmed = total. */
    private void assertAccounting(String flight, String hotel, String card, int seatsConfirmed, int roomsConfirmed, String creditConfirmed,
                                  int seatsPending, int roomsPending, String creditPending) {
        JsonNode f = item("flights", flight);
        JsonNode h = item("hotels", hotel);
        JsonNode c = item("payments", "**** " + card.substring(card.length() - 4));
        assertThat(intOf(f, "confirmed")).isEqualTo(seatsConfirmed);
        assertThat(intOf(f, "pending")).isEqualTo(seatsPending);
        assertThat(intOf(h, "confirmed")).isEqualTo(roomsConfirmed);
        assertThat(intOf(h, "pending")).isEqualTo(roomsPending);
        assertThat(c.get("confirmed").decimalValue()).isEqualByComparingTo(creditConfirmed);
        assertThat(c.get("pending").decimalValue()).isEqualByComparingTo(creditPending);
        for (JsonNode item : List.of(f, h, c)) {
            assertThat(item.get("available").decimalValue().add(item.get("pending").decimalValue()).add(item.get("confirmed").decimalValue()))
                    .as("available + pending + confirmed of %s", item.get("code").asString())
                    .isEqualByComparingTo(item.get("total").decimalValue());
        }
    }
}

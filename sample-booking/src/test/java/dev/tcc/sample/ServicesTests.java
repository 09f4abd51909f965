package dev.tcc.sample;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.List;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import dev.tcc.api.operations.TccOperations;
import dev.tcc.sample.booking.TripBooker;
import dev.tcc.sample.flights.SeatService;
import dev.tcc.sample.hold.Participant;
import dev.tcc.sample.hotels.RoomService;
import dev.tcc.sample.payments.PaymentService;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/** The four services are separate applications, and a participant service takes no unsigned call that could change a branch. */
class ServicesTests extends AbstractBookingHttpTests {

    @Test
    void eachServiceIsItsOwnApplicationWithItsOwnBeansDatabaseAndTccRuntime() {
        ConfigurableApplicationContext booking = fleet().context("booking");
        ConfigurableApplicationContext flights = fleet().context("flights");
        ConfigurableApplicationContext hotels = fleet().context("hotels");
        ConfigurableApplicationContext payments = fleet().context("payments");

        assertThat(booking.getBeansOfType(TripBooker.class)).hasSize(1);
        assertThat(booking.getBeansOfType(Participant.class)).as("booking holds nothing itself").isEmpty();
        assertThat(flights.getBeansOfType(Participant.class).values()).singleElement().isInstanceOf(SeatService.class);
        assertThat(hotels.getBeansOfType(Participant.class).values()).singleElement().isInstanceOf(RoomService.class);
        assertThat(payments.getBeansOfType(Participant.class).values()).singleElement().isInstanceOf(PaymentService.class);
        assertThat(flights.getBeansOfType(TripBooker.class)).isEmpty();

        List<ConfigurableApplicationContext> all = List.of(booking, flights, hotels, payments);
        assertThat(all).extracting(c -> c.getParent()).containsOnlyNulls();
        assertThat(all).extracting(c -> ((HikariDataSource) c.getBean(DataSource.class)).getJdbcUrl())
                .containsExactly(DATABASES.get("booking"), DATABASES.get("flights"), DATABASES.get("hotels"), DATABASES.get("payments"));
        assertThat(all).extracting(c -> c.getBean(TccOperations.class)).doesNotHaveDuplicates();
        assertThat(List.of("booking", "flights", "hotels", "payments")).extracting(s -> fleet().port(s)).doesNotHaveDuplicates()
                .allSatisfy(p -> assertThat(p).isPositive());
    }

    @Test
    void anUnsignedConfirmOrCancelIsRefusedAndChangesNothing() throws Exception {
        String flight = newFlight(4);
        String hotel = newHotel(2);
        String card = newCard("5000", false);
        Response booked = post("/bookings", trip(flight, 1, hotel, 1, card, null), null);
        String xid = booked.body().get("xid").asString();
        int branch = transaction(xid).get("branches").get(0).get("branchId").asInt();
        long before = database("flights").sql("SELECT COUNT(*) FROM tcc_barrier").query(Long.class).single();

        for (String phase : List.of("confirm", "cancel")) {
            HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create(fleet().url("flights") + "/tcc/participant/" + xid + "/"
                            + branch + "/" + phase + "?action=holdSeats")).POST(HttpRequest.BodyPublishers.noBody()).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(answer.statusCode()).as("unsigned %s", phase).isEqualTo(401);
        }
        assertThat(database("flights").sql("SELECT COUNT(*) FROM tcc_barrier").query(Long.class).single()).isEqualTo(before);
    }

    @Test
    void aTryOutsideATransactionIsRefusedAndHoldsNothing() throws Exception {
        String flight = newFlight(4);
        HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create(fleet().url("flights") + "/holds"))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"flight\":\"" + flight + "\",\"seats\":2}")).build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(answer.statusCode()).isEqualTo(409);
        assertThat(answer.body()).contains("TCC transaction");
        assertThat(intOf(item("flights", flight), "available")).isEqualTo(4);
    }

    @Test
    void aTryWithAForgedTransactionContextIsRefusedAndHoldsNothing() throws Exception {
        String flight = newFlight(4);
        long now = System.currentTimeMillis() / 1000;
        // a complete context, unsigned, then signed with a key nobody shares, then with the right key id and a made-up signature
        for (String signature : new String[] {null, "v1;key=stolen;ts=" + now + ";sig=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
                "v1;key=sample;ts=" + now + ";sig=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}) {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(fleet().url("flights") + "/holds"))
                    .header("Content-Type", "application/json")
                    .header("Tcc-Xid", "forged-xid")
                    .header("Tcc-Branch-Range", "1000-1999")
                    .header("Tcc-Timeout", Instant.now().plusSeconds(60).toString())
                    .header("Tcc-Coordinator", "http://localhost:1/tcc/coordinator")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"flight\":\"" + flight + "\",\"seats\":2}"));
            if (signature != null) {
                request.header("Tcc-Signature", signature);
            }
            HttpResponse<String> answer = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            assertThat(answer.statusCode()).as("signature %s", signature).isEqualTo(401);
        }

        assertThat(database("flights").sql("SELECT COUNT(*) FROM seat_hold WHERE xid = 'forged-xid'").query(Long.class).single()).isZero();
        assertThat(database("flights").sql("SELECT COUNT(*) FROM tcc_barrier WHERE xid = 'forged-xid'").query(Long.class).single()).isZero();
        assertThat(intOf(item("flights", flight), "available")).isEqualTo(4);
    }
}

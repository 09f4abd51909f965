package dev.tcc.sample.booking;

import dev.tcc.api.TccContextHolder;
import java.util.function.Consumer;

import dev.tcc.api.TccTransactional;
import dev.tcc.sample.config.SampleProperties;
import dev.tcc.sample.failure.FailureInjection;
import dev.tcc.sample.failure.Scenario;
import dev.tcc.sample.flights.SeatService;
import dev.tcc.sample.hotels.RoomService;
import dev.tcc.sample.payments.PaymentService;
import org.springframework.stereotype.Service;

/**
 * The initiator: one TCC transaction holds the seats, the rooms and the payment, each on its own
 * database. Returning confirms all three; any exception (sold out, declined, a participant down)
 * cancels every hold already taken, in reverse order.
 */
@Service
public class TripBooker {

    private final SeatService seats;
    private final RoomService rooms;
    private final PaymentService payments;
    private final FailureInjection failures;
    private final SampleProperties properties;

    public TripBooker(SeatService seats, RoomService rooms, PaymentService payments, FailureInjection failures,
                      SampleProperties properties) {
        this.seats = seats;
        this.rooms = rooms;
        this.payments = payments;
        this.failures = failures;
        this.properties = properties;
    }

    /**
     * Books {@code trip}; {@code xid} learns the transaction's id before the first try, so the
     * booking can name it whatever the outcome.
     */
    @TccTransactional(name = "bookTrip", timeout = "2m")
    public TripHolds book(Trip trip, Consumer<String> xid) {
        xid.accept(TccContextHolder.currentXid().orElseThrow());
        String seatHold = seats.holdSeats(trip.flight(), trip.seats());
        String roomHold = rooms.holdRooms(trip.hotel(), trip.rooms(), trip.nights());
        String paymentHold = payments.authorize(trip.card(), trip.amount());
        if (failures.scenario() == Scenario.PAYMENT_DOWN) {
            // the payment service crashes right after it authorised: its confirm will fail until it is back
            failures.takeDown("payments", properties.getFailures().getOutage());
        }
        return new TripHolds(seatHold, roomHold, paymentHold);
    }
}

package dev.tcc.sample.booking;

import java.math.BigDecimal;
import java.util.function.Consumer;

import dev.tcc.api.TccContextHolder;
import dev.tcc.api.TccTransactional;
import dev.tcc.sample.booking.remote.ParticipantServices;
import dev.tcc.sample.common.SampleProperties;
import dev.tcc.sample.common.Scenario;
import dev.tcc.sample.common.ServiceOutages;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Service;

/**
 * The initiator: one TCC transaction holds the seats, the rooms and the payment by calling the flights,
 * hotels and payments services' {@code POST /holds}. Each call runs that service's try, in its own
 * database, as a branch of this transaction: the starter signs the transaction's context onto the request
 * and records the branches the answer names before the call returns. Returning confirms all three, through
 * each service's participant endpoint; any exception (sold out, declined, a service that did not answer)
 * cancels every hold already taken.
 */
@Service
public class TripBooker {

    /** {@code POST /holds} of the flights service. */
    record HoldSeats(String flight, int seats) {
    }

    /** {@code POST /holds} of the hotels service. */
    record HoldRooms(String hotel, int rooms, int nights, Scenario simulate) {
    }

    /** {@code POST /holds} of the payments service. */
    record Authorize(String card, BigDecimal amount, Scenario simulate) {
    }

    private final ParticipantServices services;
    private final ObjectProvider<ServiceOutages> outages;
    private final SampleProperties properties;

    public TripBooker(ParticipantServices services, ObjectProvider<ServiceOutages> outages, SampleProperties properties) {
        this.services = services;
        this.outages = outages;
        this.properties = properties;
    }

    /**
     * Books {@code trip}; {@code xid} learns the transaction's id before the first try, so the
     * booking can name it whatever the outcome.
     */
    @TccTransactional(name = "bookTrip", timeout = "2m")
    public TripHolds book(Trip trip, Consumer<String> xid) {
        xid.accept(TccContextHolder.currentXid().orElseThrow());
        String seatHold = services.flights().hold(new HoldSeats(trip.flight(), trip.seats()));
        String roomHold = services.hotels().hold(new HoldRooms(trip.hotel(), trip.rooms(), trip.nights(), trip.simulate()));
        String paymentHold = services.payments().hold(new Authorize(trip.card(), trip.amount(), trip.simulate()));
        if (trip.simulate() == Scenario.PAYMENT_DOWN) {
            // the payments service crashes right after it authorised: its confirm cannot get through until it is back
            ServiceOutages switchboard = outages.getIfAvailable();
            if (switchboard == null) {
                throw new IllegalStateException("The PAYMENT_DOWN scenario needs the four services in one JVM: start them with"
                        + " dev.tcc.sample.TripSample");
            }
            switchboard.takeDown("payments", properties.getFailures().getOutage());
        }
        return new TripHolds(seatHold, roomHold, paymentHold);
    }
}

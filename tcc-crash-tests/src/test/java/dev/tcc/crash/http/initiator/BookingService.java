package dev.tcc.crash.http.initiator;

import dev.tcc.api.TccContextHolder;
import dev.tcc.api.TccTransactional;
import java.util.concurrent.CountDownLatch;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Service;
import org.springframework.web.client.RestClient;

/**
 * The initiator's transaction: holds a seat in the participant service through a {@link RestClient} built from
 * Boot's {@code RestClient.Builder} (which the starter makes carry the transaction and register the remote branch),
 * then hangs before deciding, so that the test kills the process after the remote try committed and before any
 * decision exists.
 */
@Service
public class BookingService {

    private final RestClient seats;

    BookingService(RestClient.Builder builder, @Value("${crash.participant-url}") String participantUrl) {
        this.seats = builder.baseUrl(participantUrl).build();
    }

    @TccTransactional
    public void bookAndHang(String booking) throws InterruptedException {
        seats.post().uri("/seats/{booking}/hold", booking).retrieve().toBodilessEntity();
        System.out.println("CALLED " + TccContextHolder.currentXid().orElseThrow());
        System.out.flush();
        new CountDownLatch(1).await(); // until kill -9: the transaction never decides
    }
}

package dev.tcc.crash.http.participant;

import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * The participant service of the crash test across HTTP, run in the test's JVM on a random port with its own
 * database: {@link SeatsController} takes the initiator's call, {@link SeatHolds} holds a seat for its transaction.
 * The starter's inbound filter joins the caller's transaction, its participant endpoint confirms and cancels, and its
 * hold expiry asks the caller's coordinator endpoint (the barrier's {@code coordinator} column) when a hold runs out.
 * Settings: {@code http-participant.properties} and what the test adds.
 */
@SpringBootApplication
public class SeatsApplication {
}

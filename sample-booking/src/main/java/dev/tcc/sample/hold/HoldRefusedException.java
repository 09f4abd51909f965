package dev.tcc.sample.hold;

/** A participant refused a try for a business reason (sold out, card declined): the booking is cancelled. */
public class HoldRefusedException extends RuntimeException {
    public HoldRefusedException(String message) {
        super(message);
    }
}

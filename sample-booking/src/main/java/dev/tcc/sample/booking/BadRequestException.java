package dev.tcc.sample.booking;

import java.util.List;

/** The request is invalid; nothing was changed. Answered with 400 and every problem found. */
public class BadRequestException extends RuntimeException {

    private final List<String> errors;

    public BadRequestException(List<String> errors) {
        super(String.join("; ", errors));
        this.errors = List.copyOf(errors);
    }

    public List<String> errors() {
        return errors;
    }
}

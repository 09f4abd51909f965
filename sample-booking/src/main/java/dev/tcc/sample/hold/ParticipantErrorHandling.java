package dev.tcc.sample.hold;

import dev.tcc.api.NoTccTransactionException;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/**
 * A participant service's errors as RFC 9457 problem details: a refused hold (sold out, declined) is
 * 422 with the reason in {@code detail}, which the booking service shows as the booking's reason. The
 * refused try has already marked the caller's transaction cancel-only (the answer's Tcc-Cancel-Only header).
 */
@RestControllerAdvice
public class ParticipantErrorHandling {

    @ExceptionHandler(HoldRefusedException.class)
    @ResponseStatus(HttpStatus.UNPROCESSABLE_CONTENT)
    ProblemDetail refused(HoldRefusedException e) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.UNPROCESSABLE_CONTENT, e.getMessage());
        problem.setTitle("Hold refused; nothing was held");
        return problem;
    }

    /** {@code POST /holds} outside a TCC transaction: nothing would ever confirm or cancel the hold, so the try does not run. */
    @ExceptionHandler(NoTccTransactionException.class)
    @ResponseStatus(HttpStatus.CONFLICT)
    ProblemDetail outsideATransaction(NoTccTransactionException e) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.CONFLICT, "POST /holds takes part in the caller's TCC"
                + " transaction: call it from a @TccTransactional method with a RestClient from Spring Boot's RestClient.Builder"
                + " (as the booking service does). Nothing was held.");
        problem.setTitle("Not inside a TCC transaction; nothing was held");
        return problem;
    }

    @ExceptionHandler({HttpMessageNotReadableException.class, IllegalArgumentException.class})
    @ResponseStatus(HttpStatus.BAD_REQUEST)
    ProblemDetail badRequest(Exception e) {
        return ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, "Invalid hold request: " + e.getMessage());
    }
}

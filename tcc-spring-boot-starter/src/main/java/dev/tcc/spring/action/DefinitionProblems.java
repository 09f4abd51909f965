package dev.tcc.spring.action;

import dev.tcc.spring.InvalidTccDefinitionException;
import java.util.ArrayList;
import java.util.List;

/**
 * Collects the problems start-up validation finds, so that the application is stopped once with
 * all of them rather than once per problem.
 */
final class DefinitionProblems {

    private final List<InvalidTccDefinitionException> problems = new ArrayList<>();

    void add(InvalidTccDefinitionException problem) {
        problems.addAll(problem.problems());
    }

    /** Runs {@code check}, recording the problem it throws; returns whether it passed. */
    boolean check(Runnable check) {
        try {
            check.run();
            return true;
        } catch (InvalidTccDefinitionException e) {
            add(e);
            return false;
        }
    }

    boolean isEmpty() {
        return problems.isEmpty();
    }

    int size() {
        return problems.size();
    }

    /** @throws InvalidTccDefinitionException listing every problem recorded, when there is one */
    void throwIfAny() {
        if (!problems.isEmpty()) {
            throw InvalidTccDefinitionException.of(problems);
        }
    }
}

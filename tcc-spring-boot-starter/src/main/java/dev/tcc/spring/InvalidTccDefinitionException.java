package dev.tcc.spring;

import dev.tcc.api.TccDefinitionException;
import java.util.List;

/**
 * A {@link TccDefinitionException} found by the starter at start-up, carrying the fix separately
 * so that the failure analysis can show it as the "Action". When start-up finds several problems,
 * one exception reports them all ({@link #problems()}), numbered in the message and in the action.
 */
public class InvalidTccDefinitionException extends TccDefinitionException {

    private static final long serialVersionUID = 1L;

    private final String action;
    private final transient List<InvalidTccDefinitionException> problems;

    /**
     * @param problem what is wrong, naming the class and the method
     * @param action  what to do about it
     */
    public InvalidTccDefinitionException(String problem, String action) {
        super(problem + ". " + action);
        this.action = action;
        this.problems = List.of(this);
    }

    private InvalidTccDefinitionException(String problem, String action, List<InvalidTccDefinitionException> problems) {
        super(problem + ". " + action);
        this.action = action;
        this.problems = problems;
    }

    /**
     * One exception for every problem found: {@code problems} itself when there is one, else one
     * that numbers them.
     *
     * @param problems at least one
     */
    public static InvalidTccDefinitionException of(List<InvalidTccDefinitionException> problems) {
        if (problems.isEmpty()) {
            throw new IllegalArgumentException("no problems to report");
        }
        if (problems.size() == 1) {
            return problems.get(0);
        }
        StringBuilder description = new StringBuilder(problems.size() + " problems were found");
        StringBuilder actions = new StringBuilder("Fix each problem listed:");
        for (int i = 0; i < problems.size(); i++) {
            InvalidTccDefinitionException p = problems.get(i);
            description.append(System.lineSeparator()).append("  ").append(i + 1).append(". ").append(p.problem());
            actions.append(System.lineSeparator()).append("  ").append(i + 1).append(". ").append(p.action());
        }
        return new InvalidTccDefinitionException(description.toString(), actions.toString(), List.copyOf(problems));
    }

    /** What to do about it. */
    public String action() {
        return action;
    }

    /** What is wrong, without the fix. */
    public String problem() {
        String message = getMessage();
        return message.substring(0, message.length() - action.length() - 2);
    }

    /** Every problem this exception reports: itself alone, or each of those {@link #of} combined. */
    public List<InvalidTccDefinitionException> problems() {
        return problems;
    }
}

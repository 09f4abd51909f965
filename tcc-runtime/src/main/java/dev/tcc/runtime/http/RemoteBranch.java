package dev.tcc.runtime.http;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A branch as a {@code Tcc-Branch} header names it: {@code <id>;action=<name>;participant=<url>;hold=<instant>}.
 * The action name and the URL are percent-encoded (UTF-8) where they contain {@code % ; = , "}, a space, a control
 * or a non-ASCII character, so a value never contains a separator of its own; {@link #parse} decodes them.
 *
 * @param branchId       the branch id
 * @param action         the action name at the participant
 * @param participantUrl base URL of the participant endpoint that owns it (absolute, or a path to resolve)
 * @param holdDeadline   when its hold expires unless confirmed
 */
public record RemoteBranch(int branchId, String action, String participantUrl, Instant holdDeadline) {

    public RemoteBranch {
        if (branchId < 1) {
            throw new IllegalArgumentException("A branch id is positive but was [" + branchId + "]");
        }
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(participantUrl, "participantUrl");
        Objects.requireNonNull(holdDeadline, "holdDeadline");
        if (action.isEmpty() || participantUrl.isEmpty()) {
            throw new IllegalArgumentException("A branch needs an action name and a participant URL");
        }
        if (action.startsWith("tcc:") && !HttpBranchParticipant.CALL_ACTION.matcher(action).matches()) {
            throw new IllegalArgumentException("The action prefix 'tcc:' is reserved for a lost call's branch, not '" + action + "'");
        }
    }

    /** The header value. */
    public String encode() {
        return branchId + ";action=" + PercentEncoding.headerParameter(action) + ";participant="
                + PercentEncoding.headerParameter(participantUrl) + ";hold=" + holdDeadline;
    }

    /** Parses a header value; throws {@link IllegalArgumentException} saying what is wrong. */
    public static RemoteBranch parse(String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("A Tcc-Branch value is empty");
        }
        String[] parts = value.strip().split(";", -1);
        if (!parts[0].matches("[1-9][0-9]{0,9}")) {
            throw new IllegalArgumentException("Tcc-Branch [" + value + "] does not start with a positive branch id");
        }
        long id = Long.parseLong(parts[0]);
        if (id > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("Tcc-Branch [" + value + "] has a branch id beyond 2147483647");
        }
        String action = null;
        String participant = null;
        String hold = null;
        for (int i = 1; i < parts.length; i++) {
            String part = parts[i].strip();
            int eq = part.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("Tcc-Branch [" + value + "] has a parameter without a name: [" + part + "]");
            }
            String name = part.substring(0, eq);
            String raw = part.substring(eq + 1);
            String decoded;
            try {
                decoded = PercentEncoding.decode(raw);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("Tcc-Branch [" + value + "], parameter '" + name + "': " + e.getMessage(), e);
            }
            switch (name) {
                case "action" -> action = once(value, name, action, decoded);
                case "participant" -> participant = once(value, name, participant, decoded);
                case "hold" -> hold = once(value, name, hold, decoded);
                default -> {
                    // a later version's parameter: ignored
                }
            }
        }
        for (String[] required : new String[][] {{"action", action}, {"participant", participant}, {"hold", hold}}) {
            if (required[1] == null || required[1].isEmpty()) {
                throw new IllegalArgumentException("Tcc-Branch [" + value + "] has no '" + required[0] + "'");
            }
        }
        Instant deadline;
        try {
            deadline = Instant.parse(hold);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("Tcc-Branch [" + value + "] has a hold that is not an ISO-8601 instant: [" + hold + "]", e);
        }
        return new RemoteBranch((int) id, action, participant, deadline);
    }

    /**
     * Every branch of a {@code Tcc-Branch} header's values, in order; a value that an intermediary joined from several
     * headers with commas is split again (a value never contains a comma of its own).
     */
    public static List<String> splitValues(List<String> headerValues) {
        List<String> values = new ArrayList<>();
        for (String joined : headerValues) {
            for (String one : joined.split(",")) {
                if (!one.isBlank()) {
                    values.add(one.strip());
                }
            }
        }
        return values;
    }

    private static String once(String value, String name, String previous, String decoded) {
        if (previous != null) {
            throw new IllegalArgumentException("Tcc-Branch [" + value + "] names '" + name + "' twice");
        }
        return decoded;
    }
}

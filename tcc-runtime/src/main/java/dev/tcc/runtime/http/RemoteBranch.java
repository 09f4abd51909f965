package dev.tcc.runtime.http;

import java.time.Instant;

/**
 * A branch as a {@code Tcc-Branch} header names it: {@code <id>;action=<name>;participant=<url>;hold=<instant>}.
 *
 * @param branchId       the branch id
 * @param action         the action name at the participant
 * @param participantUrl base URL of the participant endpoint that owns it (absolute, or a path to resolve)
 * @param holdDeadline   when its hold expires unless confirmed
 */
public record RemoteBranch(int branchId, String action, String participantUrl, Instant holdDeadline) {

    /** The header value. */
    public String encode() {
        return branchId + ";action=" + action + ";participant=" + participantUrl + ";hold=" + holdDeadline; // TEMP until wp/wire
    }

    /** Parses a header value; throws {@link IllegalArgumentException} saying what is wrong. */
    public static RemoteBranch parse(String value) {
        String[] p = value.split(";"); // TEMP until wp/wire
        return new RemoteBranch(Integer.parseInt(p[0]), p[1].substring(7), p[2].substring(12), Instant.parse(p[3].substring(5)));
    }
}

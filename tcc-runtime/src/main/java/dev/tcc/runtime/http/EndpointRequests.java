package dev.tcc.runtime.http;

import java.util.regex.Pattern;

/** Checks of the path segments the endpoints receive. */
final class EndpointRequests {

    /** The form of an xid (docs/protocol.md, "Headers"). */
    /** 1 to 64 of {@code A-Z a-z 0-9 . _ : -}, not only dots (a dot segment would be normalised away in a URL path). */
    static final Pattern XID = Pattern.compile("(?!\\.+$)[A-Za-z0-9._:-]{1,64}");
    private static final Pattern ID = Pattern.compile("[1-9][0-9]{0,9}");

    private EndpointRequests() {
    }

    /** The value of a non-null string, {@code ""} for null (what an absent segment is signed as). */
    static String orEmpty(String value) {
        return value == null ? "" : value;
    }

    /** A positive branch id, or -1 when {@code segment} is not one. */
    static int branchId(String segment) {
        if (segment == null || !ID.matcher(segment).matches()) {
            return -1;
        }
        long id = Long.parseLong(segment);
        return id > Integer.MAX_VALUE ? -1 : (int) id;
    }

    /** {@code {first, last}} of a {@code first-last} segment, or null when it is not a range with first <= last. */
    static int[] range(String segment) {
        if (segment == null) {
            return null;
        }
        int dash = segment.indexOf('-');
        if (dash < 0) {
            return null;
        }
        int first = branchId(segment.substring(0, dash));
        int last = branchId(segment.substring(dash + 1));
        return first < 0 || last < first ? null : new int[] {first, last};
    }
}

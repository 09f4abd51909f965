package dev.tcc.runtime.testing;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Collection;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * PostgreSQL plans of a statement as a server-side prepared statement runs it: PREPARE of the statement's text (its
 * {@code ?} numbered), then EXPLAIN EXECUTE, so that {@code plan_cache_mode} decides between a custom and a generic
 * plan as it does for the driver's prepared statements. EXPLAIN through JDBC with bound parameters would not do:
 * the planner then sees the values and makes a custom plan whatever {@code plan_cache_mode} says.
 */
public final class ServerPlans {

    private ServerPlans() {
    }

    /**
     * The plan (COSTS OFF) of {@code sql} run with {@code parameters}: strings, instants and other values by their
     * text, integers as numbers, null as NULL, a collection as an array literal of its elements' text.
     */
    public static String explain(Connection c, String sql, Object... parameters) throws SQLException {
        StringBuilder numbered = new StringBuilder();
        int n = 0;
        for (char ch : sql.toCharArray()) {
            numbered.append(ch == '?' ? "$" + ++n : String.valueOf(ch));
        }
        String values = Stream.of(parameters).map(ServerPlans::literal).collect(Collectors.joining(", "));
        StringBuilder plan = new StringBuilder();
        try (Statement st = c.createStatement()) {
            st.execute("PREPARE plan_probe AS " + numbered);
            try (ResultSet rs = st.executeQuery("EXPLAIN (COSTS OFF) EXECUTE plan_probe(" + values + ")")) {
                while (rs.next()) {
                    plan.append(rs.getString(1)).append('\n');
                }
            } finally {
                st.execute("DEALLOCATE plan_probe");
            }
        }
        return plan.toString();
    }

    private static String literal(Object value) {
        if (value == null) {
            return "NULL";
        }
        if (value instanceof Integer) {
            return value.toString();
        }
        if (value instanceof Collection<?> elements) {
            return "'{" + elements.stream().map(e -> "\"" + e + "\"").collect(Collectors.joining(",")) + "}'";
        }
        return "'" + value.toString().replace("'", "''") + "'";
    }
}

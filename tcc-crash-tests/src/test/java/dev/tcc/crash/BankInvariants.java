package dev.tcc.crash;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import javax.sql.DataSource;

/**
 * What must hold once recovery has converged, read straight from the databases (not from the
 * runtime): money conserved, no hold pending, every transaction all-confirmed or all-cancelled
 * and agreeing with its log row, no confirm or cancel body run twice, and no barrier row left
 * {@code TRIED} past its deadline plus the grace.
 */
final class BankInvariants {

    /** What was found; {@link #violations} empty means every invariant holds. */
    record Report(List<String> violations, Map<String, Long> transactionsByState, int transfersWithHolds,
                  int confirmedTransfers, int cancelledTransfers, long bodyRuns) {

        boolean holds() {
            return violations.isEmpty();
        }

        long reportedFailures() {
            return transactionsByState.getOrDefault("FAILED", 0L) + transactionsByState.getOrDefault("HEURISTIC", 0L);
        }

        @Override
        public String toString() {
            return "transfers with holds=" + transfersWithHolds + " (confirmed " + confirmedTransfers + ", cancelled "
                    + cancelledTransfers + "), body runs=" + bodyRuns + ", log " + transactionsByState
                    + (violations.isEmpty() ? "" : ", VIOLATIONS " + violations);
        }
    }

    private record Hold(String bank, String xid, String action, String state, long amount) {
    }

    private BankInvariants() {
    }

    static Report check(DataSource log, List<? extends DataSource> banks, Duration grace) throws SQLException {
        List<String> violations = new ArrayList<>();
        Instant now = Instant.now();

        // money: the sum of balances is the initial total, no balance negative
        long total = 0;
        for (DataSource bank : banks) {
            total += queryLong(bank, "SELECT COALESCE(SUM(balance), 0) FROM account");
            long negative = queryLong(bank, "SELECT COUNT(*) FROM account WHERE balance < 0");
            if (negative > 0) {
                violations.add(negative + " negative balance(s)");
            }
        }
        if (total != Bank.TOTAL) {
            violations.add("money not conserved: sum of balances " + total + " != " + Bank.TOTAL);
        }

        // holds, grouped by transaction
        Map<String, List<Hold>> holdsByXid = new TreeMap<>();
        long bodyRuns = 0;
        for (int i = 0; i < banks.size(); i++) {
            DataSource bank = banks.get(i);
            String name = Bank.BANKS.get(i);
            try (Connection c = bank.getConnection(); Statement st = c.createStatement()) {
                try (ResultSet rs = st.executeQuery("SELECT xid, action, state, amount FROM hold_row")) {
                    while (rs.next()) {
                        Hold hold = new Hold(name, rs.getString(1), rs.getString(2), rs.getString(3), rs.getLong(4));
                        holdsByXid.computeIfAbsent(hold.xid(), x -> new ArrayList<>()).add(hold);
                    }
                }
                // no body ran twice
                try (ResultSet rs = st.executeQuery("SELECT xid, action, phase, COUNT(*) FROM body_run"
                        + " GROUP BY xid, action, phase HAVING COUNT(*) > 1")) {
                    while (rs.next()) {
                        violations.add(rs.getString(3) + " body of '" + rs.getString(2) + "' ran " + rs.getLong(4)
                                + " times for [" + rs.getString(1) + "]");
                    }
                }
                Map<String, Set<String>> phasesRun = new HashMap<>();
                try (ResultSet rs = st.executeQuery("SELECT xid, action, phase FROM body_run")) {
                    while (rs.next()) {
                        bodyRuns++;
                        phasesRun.computeIfAbsent(rs.getString(1) + "/" + rs.getString(2), k -> new HashSet<>()).add(rs.getString(3));
                    }
                }
                // a hold's state agrees with the bodies that ran, and with its barrier row
                try (ResultSet rs = st.executeQuery("SELECT h.xid, h.action, h.state, b.state FROM hold_row h"
                        + " LEFT JOIN tcc_barrier b ON b.xid = h.xid AND b.action = h.action")) {
                    while (rs.next()) {
                        String key = rs.getString(1) + "/" + rs.getString(2);
                        String hold = rs.getString(3);
                        String barrier = rs.getString(4);
                        Set<String> phases = phasesRun.getOrDefault(key, Set.of());
                        String expectedPhase = switch (hold) {
                            case "CONFIRMED" -> "CONFIRM";
                            case "CANCELLED" -> "CANCEL";
                            default -> null;
                        };
                        if (expectedPhase == null) {
                            violations.add("hold " + key + " on " + name + " is still " + hold);
                        } else if (!phases.contains(expectedPhase) || phases.contains("CONFIRM") && phases.contains("CANCEL")) {
                            violations.add("hold " + key + " on " + name + " is " + hold + " but the bodies run were " + phases);
                        }
                        if (!hold.equals(barrier)) {
                            violations.add("hold " + key + " on " + name + " is " + hold + " but its barrier row is " + barrier);
                        }
                    }
                }
                // no barrier row TRIED past its deadline (or its transaction's timeout) plus the grace
                try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM tcc_barrier WHERE state = 'TRIED'"
                        + " AND (hold_deadline < ? OR timeout_at < ?)")) {
                    Timestamp limit = Timestamp.from(now.minus(grace));
                    ps.setTimestamp(1, limit);
                    ps.setTimestamp(2, limit);
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        if (rs.getLong(1) > 0) {
                            violations.add(rs.getLong(1) + " barrier row(s) on " + name + " still TRIED past deadline + grace");
                        }
                    }
                }
            }
        }

        // every transfer all-confirmed or all-cancelled, and its log row says the same
        Map<String, String> logState = new HashMap<>();
        Map<String, Long> byState = new TreeMap<>();
        try (Connection c = log.getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT xid, state FROM tcc_transaction")) {
            while (rs.next()) {
                logState.put(rs.getString(1), rs.getString(2));
                byState.merge(rs.getString(2), 1L, Long::sum);
            }
        }
        for (String state : List.of("TRYING", "CONFIRMING", "CANCELLING")) {
            if (byState.containsKey(state)) {
                violations.add(byState.get(state) + " transaction(s) left " + state);
            }
        }
        int confirmed = 0;
        int cancelled = 0;
        for (Map.Entry<String, List<Hold>> entry : holdsByXid.entrySet()) {
            Set<String> states = new HashSet<>();
            entry.getValue().forEach(h -> states.add(h.state()));
            String logged = logState.get(entry.getKey());
            if (states.equals(Set.of("CONFIRMED"))) {
                confirmed++;
                if (entry.getValue().size() != 2) {
                    violations.add("transfer [" + entry.getKey() + "] confirmed with " + entry.getValue().size() + " branch(es)");
                }
                if (!"CONFIRMED".equals(logged) && !"HEURISTIC".equals(logged) && !"FAILED".equals(logged)) {
                    violations.add("transfer [" + entry.getKey() + "] confirmed in the banks but " + logged + " in the log");
                }
            } else if (states.equals(Set.of("CANCELLED"))) {
                cancelled++;
                if (!"CANCELLED".equals(logged) && !"HEURISTIC".equals(logged) && !"FAILED".equals(logged)) {
                    violations.add("transfer [" + entry.getKey() + "] cancelled in the banks but " + logged + " in the log");
                }
            } else {
                violations.add("transfer [" + entry.getKey() + "] ended mixed: " + entry.getValue());
            }
        }
        return new Report(violations, byState, holdsByXid.size(), confirmed, cancelled, bodyRuns);
    }

    /**
     * What must hold at every committed moment, so also in what a crash left before recovery runs: a
     * try writes its barrier row and its hold in one local transaction, a confirm or cancel moves both
     * in one, so each barrier row of a bank action is in its hold's state ({@code TRIED} with
     * {@code PENDING}) and each hold has its row. Returns the rows that disagree: a local transaction of
     * a bank that committed only in part, or a body that committed without its barrier move.
     */
    static List<String> localTransactionsWhole(List<? extends DataSource> banks) throws SQLException {
        List<String> disagreements = new ArrayList<>();
        for (int i = 0; i < banks.size(); i++) {
            try (Connection c = banks.get(i).getConnection(); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT b.xid, b.action, b.state, h.state FROM tcc_barrier b"
                         + " LEFT JOIN hold_row h ON h.xid = b.xid AND h.action = b.action"
                         + " WHERE b.state = 'TRIED' AND (h.state IS NULL OR h.state <> 'PENDING')"
                         + " OR b.state <> 'TRIED' AND h.state IS NOT NULL AND h.state <> b.state"
                         + " UNION ALL SELECT h.xid, h.action, NULL, h.state FROM hold_row h"
                         + " WHERE NOT EXISTS (SELECT 1 FROM tcc_barrier b WHERE b.xid = h.xid AND b.action = h.action)")) {
                while (rs.next()) {
                    disagreements.add(Bank.BANKS.get(i) + " [" + rs.getString(1) + "] '" + rs.getString(2) + "': barrier row "
                            + rs.getString(3) + ", hold " + rs.getString(4));
                }
            }
        }
        return disagreements;
    }

    private static long queryLong(DataSource dataSource, String sql) throws SQLException {
        try (Connection c = dataSource.getConnection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}

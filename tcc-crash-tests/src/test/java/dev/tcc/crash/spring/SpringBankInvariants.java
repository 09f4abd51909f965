package dev.tcc.crash.spring;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.sql.DataSource;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * What must hold once the settle run has finished, read straight from the two banks:
 * <ul>
 *   <li>no phase body ran twice: a hold row's {@code confirms + cancels} is at most 1 (the bodies
 *       count in their own local transaction, so only a body that committed twice shows);</li>
 *   <li>money conserved: both banks' balances plus the debits still held add up to the start;</li>
 *   <li>no hold left: no hold PENDING, no barrier row TRIED, no transaction in flight, none FAILED or HEURISTIC;</li>
 *   <li>each transfer all-confirmed or all-cancelled;</li>
 *   <li>each branch's barrier row is on its participant's own database, agreeing with its hold:
 *       the credits' rows on bank B, none of them on bank A.</li>
 * </ul>
 */
final class SpringBankInvariants {

    /** What was found; {@link #violations} empty means every invariant holds. */
    record Report(List<String> violations, int transfers, int confirmed, int cancelled, long bodiesTwice,
                  Map<String, Long> log) {

        boolean holds() {
            return violations.isEmpty();
        }

        @Override
        public String toString() {
            return "transfers=" + transfers + " (confirmed " + confirmed + ", cancelled " + cancelled + "), bodies run twice="
                    + bodiesTwice + ", log " + log + (violations.isEmpty() ? "" : ", VIOLATIONS " + violations);
        }
    }

    private record Hold(String transfer, String xid, String state, long amount, int confirms, int cancels) {
    }

    /** At most this many lines of one kind, then a count: the report stays readable when a defect hits many transfers. */
    private static final int SHOWN = 5;

    private SpringBankInvariants() {
    }

    static Report check(DataSource bankA, DataSource bankB) {
        JdbcClient a = JdbcClient.create(bankA);
        JdbcClient b = JdbcClient.create(bankB);
        List<String> violations = new ArrayList<>();
        Map<String, Hold> debits = holds(a, "debit_hold");
        Map<String, Hold> credits = holds(b, "credit_hold");

        // no body twice
        List<String> twice = new ArrayList<>();
        bodiesTwice(debits, "debit", twice);
        bodiesTwice(credits, "credit", twice);
        report(violations, twice, "phase bodies that committed more than once");

        // money conserved
        long held = debits.values().stream().filter(h -> h.state().equals("PENDING")).mapToLong(Hold::amount).sum();
        long balances = BankSchema.count(a, "SELECT COALESCE(SUM(balance), 0) FROM account")
                + BankSchema.count(b, "SELECT COALESCE(SUM(balance), 0) FROM account");
        if (balances + held != BankSchema.TOTAL) {
            violations.add("money not conserved: balances " + balances + " + debits held " + held + " = " + (balances + held)
                    + " != " + BankSchema.TOTAL + " at the start");
        }

        // no hold left
        BankSchema.leftover(bankA, bankB).ifPresent(left -> violations.add("left after the settle run: " + left));
        Map<String, Long> log = new TreeMap<>();
        a.sql("SELECT state, COUNT(*) FROM tcc_transaction GROUP BY state")
                .query((rs, n) -> log.put(rs.getString(1), rs.getLong(2))).list();
        for (String state : List.of("FAILED", "HEURISTIC")) {
            if (log.containsKey(state)) {
                violations.add(log.get(state) + " transaction(s) " + state);
            }
        }

        // all-confirmed or all-cancelled
        List<String> mixed = new ArrayList<>();
        int confirmed = 0;
        int cancelled = 0;
        Map<String, String[]> byTransfer = new TreeMap<>();
        debits.forEach((t, h) -> byTransfer.computeIfAbsent(t, k -> new String[2])[0] = h.state());
        credits.forEach((t, h) -> byTransfer.computeIfAbsent(t, k -> new String[2])[1] = h.state());
        for (Map.Entry<String, String[]> e : byTransfer.entrySet()) {
            String debit = e.getValue()[0];
            String credit = e.getValue()[1];
            if ("CONFIRMED".equals(debit) && "CONFIRMED".equals(credit)) {
                confirmed++;
            } else if (!"CONFIRMED".equals(debit) && !"CONFIRMED".equals(credit)) {
                cancelled++;
            } else {
                mixed.add("[" + e.getKey() + "] debit " + debit + ", credit " + credit);
            }
        }
        report(violations, mixed, "transfers that ended mixed");

        // every barrier row on its participant's own database
        barrierRows(violations, "A", bankA, "debit", debits);
        barrierRows(violations, "B", bankB, "credit", credits);
        if (BankSchema.hasBarrierTable(bankA)) {
            long creditsOnA = BankSchema.count(a, "SELECT COUNT(*) FROM tcc_barrier WHERE action = 'credit'");
            if (creditsOnA > 0) {
                violations.add(creditsOnA + " barrier row(s) of action 'credit' on bank A: the barrier did not follow"
                        + " CreditService's @Transactional(\"bankBTx\")");
            }
        }
        return new Report(violations, byTransfer.size(), confirmed, cancelled, twice.size(), log);
    }

    private static Map<String, Hold> holds(JdbcClient jdbc, String table) {
        Map<String, Hold> holds = new HashMap<>();
        jdbc.sql("SELECT transfer, xid, state, amount, confirms, cancels FROM " + table)
                .query((rs, n) -> new Hold(rs.getString(1), rs.getString(2), rs.getString(3), rs.getLong(4), rs.getInt(5),
                        rs.getInt(6)))
                .list().forEach(h -> holds.put(h.transfer(), h));
        return holds;
    }

    private static void bodiesTwice(Map<String, Hold> holds, String action, List<String> found) {
        holds.values().stream().filter(h -> h.confirms() + h.cancels() > 1).sorted(java.util.Comparator.comparing(Hold::transfer))
                .forEach(h -> found.add(action + " [" + h.transfer() + "] confirmed " + h.confirms() + "x, cancelled "
                        + h.cancels() + "x"));
    }

    /** Each hold of {@code action} has its barrier row on {@code bank}'s own database, in the same final state. */
    private static void barrierRows(List<String> violations, String bank, DataSource dataSource, String action,
                                    Map<String, Hold> holds) {
        if (!BankSchema.hasBarrierTable(dataSource)) {
            violations.add("bank " + bank + " has no tcc_barrier table: the barrier rows of its " + holds.size() + " '" + action
                    + "' branches are elsewhere");
            return;
        }
        Map<String, String> barrier = new HashMap<>();
        JdbcClient.create(dataSource).sql("SELECT xid, state FROM tcc_barrier WHERE action = ?").param(action)
                .query((rs, n) -> barrier.put(rs.getString(1), rs.getString(2))).list();
        List<String> disagree = new ArrayList<>();
        holds.values().stream().sorted(java.util.Comparator.comparing(Hold::transfer)).forEach(h -> {
            String row = barrier.get(h.xid());
            if (!h.state().equals(row)) {
                disagree.add("[" + h.transfer() + "] hold " + h.state() + ", barrier row " + (row == null ? "missing" : row));
            }
        });
        report(violations, disagree, "'" + action + "' holds on bank " + bank + " whose barrier row there disagrees");
    }

    private static void report(List<String> violations, List<String> found, String what) {
        if (!found.isEmpty()) {
            violations.add(found.size() + " " + what + ": " + String.join("; ", found.subList(0, Math.min(SHOWN, found.size())))
                    + (found.size() > SHOWN ? "; ..." : ""));
        }
    }
}

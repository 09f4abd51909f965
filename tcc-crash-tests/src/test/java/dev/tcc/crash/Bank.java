package dev.tcc.crash;

import dev.tcc.runtime.TccRuntime;
import dev.tcc.runtime.model.TransactionOptions;
import dev.tcc.runtime.plain.TccAction;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;
import javax.sql.DataSource;

/**
 * The bank-transfer workload of the crash tests, written against the plain runtime API.
 * Accounts are spread over three participant databases ("banks"); a transfer is a debit try
 * on the payer's bank and a credit try on the payee's bank:
 * <ul>
 *   <li>debit try: {@code balance -= amount} and a PENDING hold row (the money is held);
 *       confirm: the hold becomes CONFIRMED; cancel: the money goes back, the hold CANCELLED.</li>
 *   <li>credit try: a PENDING hold row only; confirm: {@code balance += amount}, hold CONFIRMED;
 *       cancel: hold CANCELLED.</li>
 * </ul>
 * Every body also inserts a {@code body_run} row in the same local transaction (no unique key,
 * so a body that ran twice shows as two rows). At rest, the sum of balances is the initial total.
 */
public final class Bank {

    public static final List<String> BANKS = List.of("bank-a", "bank-b", "bank-c");
    public static final int ACCOUNTS = 12;
    public static final long INITIAL_BALANCE = 1_000;
    public static final long TOTAL = ACCOUNTS * INITIAL_BALANCE;

    /** Argument of every action: which account, how much. Also the try's result. */
    public record Move(String account, long amount) {
    }

    /** The initiator gave up after both tries: the transfer cancels. */
    public static final class TransferAborted extends RuntimeException {
        public TransferAborted() {
            super("transfer aborted by the workload");
        }
    }

    /** The payer's balance is too low: the debit try refuses and nothing is held. */
    public static final class InsufficientFunds extends RuntimeException {
        public InsufficientFunds(String account) {
            super("insufficient funds on " + account);
        }
    }

    private final TccRuntime runtime;
    private final CrashPoints crash;
    private final List<TccAction<Move, Move>> debits = new ArrayList<>();
    private final List<TccAction<Move, Move>> credits = new ArrayList<>();
    private final Duration timeout;

    /** Registers debit and credit actions on each bank with {@code runtime}. */
    public Bank(TccRuntime runtime, List<? extends DataSource> banks, Duration hold, Duration timeout, CrashPoints crash) {
        this.runtime = runtime;
        this.crash = crash;
        this.timeout = timeout;
        for (int i = 0; i < BANKS.size(); i++) {
            debits.add(debit(BANKS.get(i), banks.get(i), hold));
            credits.add(credit(BANKS.get(i), banks.get(i), hold));
        }
    }

    public static int bankOf(int account) {
        return account % BANKS.size();
    }

    public static String accountId(int account) {
        return "acc-" + account;
    }

    /** Creates the business tables of bank {@code bank} and its accounts, each with the initial balance. */
    public static void createTables(DataSource dataSource, int bank) throws SQLException {
        try (Connection c = dataSource.getConnection(); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE IF NOT EXISTS account (id VARCHAR(32) PRIMARY KEY, balance BIGINT NOT NULL)");
            st.execute("CREATE TABLE IF NOT EXISTS hold_row (xid VARCHAR(64) NOT NULL, action VARCHAR(64) NOT NULL,"
                    + " account VARCHAR(32) NOT NULL, amount BIGINT NOT NULL, state VARCHAR(16) NOT NULL, PRIMARY KEY (xid, action))");
            st.execute("CREATE TABLE IF NOT EXISTS body_run (xid VARCHAR(64) NOT NULL, action VARCHAR(64) NOT NULL,"
                    + " phase VARCHAR(16) NOT NULL, branch_id INTEGER NOT NULL, attempt INTEGER NOT NULL)");
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO account (id, balance) VALUES (?, ?)")) {
                for (int account = 0; account < ACCOUNTS; account++) {
                    if (bankOf(account) == bank) {
                        ps.setString(1, accountId(account));
                        ps.setLong(2, INITIAL_BALANCE);
                        ps.addBatch();
                    }
                }
                ps.executeBatch();
            }
        }
    }

    private TccAction<Move, Move> debit(String bank, DataSource dataSource, Duration hold) {
        String action = "debit-" + bank;
        return runtime.action(action, Move.class, Move.class)
                .database(bank, dataSource)
                .hold(hold)
                .onTry((c, move, ctx) -> {
                    if (update(c, "UPDATE account SET balance = balance - ? WHERE id = ? AND balance >= ?", move.amount(),
                            move.account(), move.amount()) != 1) {
                        throw new InsufficientFunds(move.account());
                    }
                    insertHold(c, ctx.xid(), action, move);
                    ran(c, ctx.xid(), action, "TRY", ctx.branchId(), ctx.attempt());
                    return move;
                })
                .onConfirm((c, move, ctx) -> {
                    // the first confirm (try order): the money already left the balance at the try
                    settle(c, ctx.xid(), action, "CONFIRMED");
                    ran(c, ctx.xid(), action, "CONFIRM", ctx.branchId(), ctx.attempt());
                    crash.reach(CrashPoints.INSIDE_CONFIRM_BODY);
                })
                .onCancel((c, move, ctx) -> {
                    // the second cancel (reverse try order) when phase two runs it
                    if (!CrashPoints.inHoldExpiry()) {
                        crash.reach(CrashPoints.BETWEEN_CANCELS);
                    }
                    update(c, "UPDATE account SET balance = balance + ? WHERE id = ?", move.amount(), move.account());
                    settle(c, ctx.xid(), action, "CANCELLED");
                    ran(c, ctx.xid(), action, "CANCEL", ctx.branchId(), ctx.attempt());
                    if (CrashPoints.inHoldExpiry()) {
                        crash.reach(CrashPoints.INSIDE_HOLD_EXPIRY);
                    }
                })
                .register();
    }

    private TccAction<Move, Move> credit(String bank, DataSource dataSource, Duration hold) {
        String action = "credit-" + bank;
        return runtime.action(action, Move.class, Move.class)
                .database(bank, dataSource)
                .hold(hold)
                .onTry((c, move, ctx) -> {
                    insertHold(c, ctx.xid(), action, move);
                    ran(c, ctx.xid(), action, "TRY", ctx.branchId(), ctx.attempt());
                    return move;
                })
                .onConfirm((c, move, ctx) -> {
                    crash.reach(CrashPoints.BETWEEN_CONFIRMS);
                    update(c, "UPDATE account SET balance = balance + ? WHERE id = ?", move.amount(), move.account());
                    settle(c, ctx.xid(), action, "CONFIRMED");
                    ran(c, ctx.xid(), action, "CONFIRM", ctx.branchId(), ctx.attempt());
                })
                .onCancel((c, move, ctx) -> {
                    settle(c, ctx.xid(), action, "CANCELLED");
                    ran(c, ctx.xid(), action, "CANCEL", ctx.branchId(), ctx.attempt());
                    if (CrashPoints.inHoldExpiry()) {
                        crash.reach(CrashPoints.INSIDE_HOLD_EXPIRY);
                    }
                })
                .register();
    }

    /**
     * One transfer as a global transaction. Returns true when it was confirmed; false when it
     * was cancelled (aborted, or the payer had too little money).
     *
     * @param abort  whether the initiator throws after both tries
     * @param hangOn when not null, the initiator blocks on it after both tries (a hung initiator)
     */
    public boolean transfer(int from, int to, long amount, boolean abort, Runnable hangOn) throws Exception {
        TccAction<Move, Move> debit = debits.get(bankOf(from));
        TccAction<Move, Move> credit = credits.get(bankOf(to));
        try {
            runtime.execute(TransactionOptions.named("transfer").withTimeout(timeout), () -> {
                debit.tryAction(new Move(accountId(from), amount));
                crash.reach(CrashPoints.AFTER_TRY_1);
                credit.tryAction(new Move(accountId(to), amount));
                crash.reach(CrashPoints.AFTER_TRY_2);
                if (hangOn != null) {
                    hangOn.run();
                }
                if (abort) {
                    throw new TransferAborted();
                }
                return null;
            });
            return true;
        } catch (TransferAborted | InsufficientFunds | dev.tcc.api.TransactionCancelledException e) {
            return false;
        }
    }

    /** A random transfer between accounts of two different banks. */
    public boolean randomTransfer(RandomGenerator random, double abortRate) throws Exception {
        int from = random.nextInt(ACCOUNTS);
        int to;
        do {
            to = random.nextInt(ACCOUNTS);
        } while (bankOf(to) == bankOf(from));
        return transfer(from, to, 1 + random.nextInt(100), random.nextDouble() < abortRate, null);
    }

    private static int update(Connection c, String sql, long amount, String account) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setLong(1, amount);
            ps.setString(2, account);
            return ps.executeUpdate();
        }
    }

    private static int update(Connection c, String sql, long amount, String account, long minimum) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setLong(1, amount);
            ps.setString(2, account);
            ps.setLong(3, minimum);
            return ps.executeUpdate();
        }
    }

    private static void insertHold(Connection c, String xid, String action, Move move) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO hold_row (xid, action, account, amount, state) VALUES (?, ?, ?, ?, 'PENDING')")) {
            ps.setString(1, xid);
            ps.setString(2, action);
            ps.setString(3, move.account());
            ps.setLong(4, move.amount());
            ps.executeUpdate();
        }
    }

    private static void settle(Connection c, String xid, String action, String state) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE hold_row SET state = ? WHERE xid = ? AND action = ?")) {
            ps.setString(1, state);
            ps.setString(2, xid);
            ps.setString(3, action);
            ps.executeUpdate();
        }
    }

    private static void ran(Connection c, String xid, String action, String phase, int branchId, int attempt)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO body_run (xid, action, phase, branch_id, attempt) VALUES (?, ?, ?, ?, ?)")) {
            ps.setString(1, xid);
            ps.setString(2, action);
            ps.setString(3, phase);
            ps.setInt(4, branchId);
            ps.setInt(5, attempt);
            ps.executeUpdate();
        }
    }
}

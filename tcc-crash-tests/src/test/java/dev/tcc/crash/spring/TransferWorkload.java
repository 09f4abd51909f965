package dev.tcc.crash.spring;

import dev.tcc.api.TransactionCancelledException;
import dev.tcc.crash.spring.TransferService.Transfer;
import dev.tcc.crash.spring.TransferService.TransferAbortedException;
import java.time.Duration;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * What the child does once its context is up (recovery already runs in the background), by
 * {@code crash.mode}:
 * <ul>
 *   <li>{@code transfers}: {@code crash.workers} threads run random transfers (a fifth of them
 *       aborted after both tries), printing {@code TRANSFER n} after each, until the parent kills
 *       the process ({@code kill -9});</li>
 *   <li>{@code settle}: waits until recovery finished everything ({@link BankSchema#leftover}),
 *       prints {@code CONVERGED} and exits 0, or {@code NOT CONVERGED} and exits 3 past
 *       {@code crash.settle-timeout}.</li>
 * </ul>
 */
@Component
class TransferWorkload {

    static final double ABORT_RATE = 0.2;

    private final TransferService transfers;
    private final DataSource bankA;
    private final DataSource bankB;
    private final String mode;
    private final long seed;
    private final int workers;
    private final Duration settleTimeout;

    TransferWorkload(TransferService transfers, @Qualifier("bankA") DataSource bankA, @Qualifier("bankB") DataSource bankB,
                     @Value("${crash.mode}") String mode, @Value("${crash.seed:1}") long seed,
                     @Value("${crash.workers:3}") int workers, @Value("${crash.settle-timeout:30s}") Duration settleTimeout) {
        this.transfers = transfers;
        this.bankA = bankA;
        this.bankB = bankB;
        this.mode = mode;
        this.seed = seed;
        this.workers = workers;
        this.settleTimeout = settleTimeout;
    }

    /** Runs the mode; returns the exit code (0 converged, 3 not converged, 4 a transfer loop that was never killed). */
    int run() throws InterruptedException {
        System.out.println("STARTED mode=" + mode);
        return switch (mode) {
            case "transfers" -> transfers();
            case "settle" -> settle();
            default -> throw new IllegalArgumentException("Unknown crash.mode [" + mode + "]: use 'transfers' or 'settle'");
        };
    }

    private int transfers() throws InterruptedException {
        AtomicInteger done = new AtomicInteger();
        for (int w = 0; w < workers; w++) {
            Random random = new Random(seed * 31 + w);
            Thread worker = new Thread(() -> {
                while (true) {
                    runOne(random);
                    System.out.println("TRANSFER " + done.incrementAndGet());
                }
            }, "transfer-worker-" + w);
            worker.setDaemon(true);
            worker.start();
        }
        new CountDownLatch(1).await(2, TimeUnit.MINUTES); // the parent kills this process long before
        System.out.println("NOT KILLED after " + done.get() + " transfers");
        return 4;
    }

    private void runOne(Random random) {
        Transfer transfer = new Transfer(UUID.randomUUID().toString(), BankSchema.payer(random.nextInt(BankSchema.ACCOUNTS_PER_BANK)),
                BankSchema.payee(random.nextInt(BankSchema.ACCOUNTS_PER_BANK)), 1 + random.nextInt(100),
                random.nextDouble() < ABORT_RATE);
        try {
            transfers.transfer(transfer);
        } catch (TransferAbortedException | TransactionCancelledException expected) {
            // cancelled: every branch tried is cancelled by phase two or recovery
        } catch (RuntimeException e) {
            System.out.println("TRANSFER FAILED " + e);
        }
    }

    private int settle() throws InterruptedException {
        long start = System.nanoTime();
        long deadline = start + settleTimeout.toNanos();
        Optional<String> left = BankSchema.leftover(bankA, bankB);
        while (left.isPresent() && System.nanoTime() < deadline) {
            Thread.sleep(100); // polling the condition below at the pace of recovery passes, with a deadline
            left = BankSchema.leftover(bankA, bankB);
        }
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        if (left.isPresent()) {
            System.out.println("NOT CONVERGED after " + ms + " ms: " + left.get());
            return 3;
        }
        System.out.println("CONVERGED after " + ms + " ms");
        return 0;
    }
}

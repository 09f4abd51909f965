package dev.tcc.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time spent during one measured run: by the benchmark's client threads (the caller's path:
 * tries, decision, everything the caller waits for), by the runtime's phase-two threads, by the
 * whole JVM (callers plus phase two, recovery, GC and JIT), and by the whole machine (the JVM plus
 * the PostgreSQL backends, and anything else that runs at the same time, so measure on an otherwise
 * idle machine).
 *
 * @param callerNanos    CPU of the client threads
 * @param phaseTwoNanos  CPU of the threads whose name starts with {@value #PHASE_TWO_THREADS}
 * @param processNanos   CPU of this JVM
 * @param machineNanos busy CPU of every core ({@code /proc/stat}: all but idle and iowait), 0 where unreadable
 */
record Cpu(long callerNanos, long phaseTwoNanos, long processNanos, long machineNanos) {

    /** Name prefix of the runtime's phase-two threads (drainers and the finisher). */
    static final String PHASE_TWO_THREADS = "tcc-phase-two";

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static final Path PROC_STAT = Path.of("/proc/stat");
    /** USER_HZ: the unit of /proc/stat on Linux. */
    private static final long NANOS_PER_TICK = 10_000_000L;

    /** CPU time of the calling thread so far. */
    static long currentThreadNanos() {
        return THREADS.getCurrentThreadCpuTime();
    }

    /** CPU time so far of the live threads whose name starts with {@code prefix}. */
    static long currentThreadsNanos(String prefix) {
        long sum = 0;
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().startsWith(prefix)) {
                sum += Math.max(0, THREADS.getThreadCpuTime(t.getId()));
            }
        }
        return sum;
    }

    /** CPU time of this JVM so far, or 0 where the platform does not say. */
    static long currentProcessNanos() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime();
        }
        return 0;
    }

    /** Busy CPU time of the machine so far (every core), or 0 where {@code /proc/stat} cannot be read. */
    static long currentMachineBusyNanos() {
        try {
            String[] f = Files.readAllLines(PROC_STAT).get(0).trim().split("\\s+"); // cpu user nice system idle iowait irq softirq steal
            long busy = 0;
            for (int i = 1; i < Math.min(f.length, 9); i++) {
                if (i != 4 && i != 5) {
                    busy += Long.parseLong(f[i]);
                }
            }
            return busy * NANOS_PER_TICK;
        } catch (IOException | RuntimeException unreadable) {
            return 0;
        }
    }
}

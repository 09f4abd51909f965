package dev.tcc.spring.interceptor;

import org.springframework.core.Ordered;

/**
 * The order of the TCC advisors: both run outside Spring's transaction advisor, whose order is
 * {@link Ordered#LOWEST_PRECEDENCE} unless {@code @EnableTransactionManagement(order = ...)} says
 * otherwise (Spring Boot leaves it there).
 * <ul>
 * <li>A {@link dev.tcc.api.Try} opens its one local transaction (the barrier's) and a
 * {@code @Transactional} on the try method or its class joins it: one connection per try, and the
 * body commits with its barrier row.</li>
 * <li>A {@link dev.tcc.api.TccTransactional} method's own {@code @Transactional} commits before
 * the TCC decision, so a failed local commit cancels the branches instead of confirming them.</li>
 * </ul>
 * A custom advisor that must see the global transaction (the xid in the MDC, say) and still run
 * inside the local one belongs between {@link #TRY} and {@link Ordered#LOWEST_PRECEDENCE}.
 */
public final class TccAdvisorOrder {

    /** Order of the {@link TccTransactionalAdvisor}: outermost, so a local commit happens before the decision. */
    public static final int TCC_TRANSACTIONAL = Ordered.LOWEST_PRECEDENCE - 200;

    /** Order of the {@link TryAdvisor}: inside a {@code @TccTransactional}, outside Spring's transaction advisor. */
    public static final int TRY = Ordered.LOWEST_PRECEDENCE - 100;

    private TccAdvisorOrder() {
    }
}

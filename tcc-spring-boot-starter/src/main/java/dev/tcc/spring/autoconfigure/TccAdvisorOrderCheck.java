package dev.tcc.spring.autoconfigure;

import dev.tcc.spring.interceptor.TccAdvisorOrder;
import dev.tcc.spring.interceptor.TccTransactionalAdvisor;
import dev.tcc.spring.interceptor.TryAdvisor;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.transaction.interceptor.BeanFactoryTransactionAttributeSourceAdvisor;

/**
 * Warns at start-up when Spring's transaction advisor runs outside a TCC advisor (an
 * {@code @EnableTransactionManagement(order = ...)} of higher precedence than {@link TccAdvisorOrder}):
 * a try with a class-level {@code @Transactional} then holds two connections, and an initiator's own
 * {@code @Transactional} commits after the TCC decision, so its failed commit no longer cancels.
 */
final class TccAdvisorOrderCheck implements SmartInitializingSingleton {

    private static final Logger log = LoggerFactory.getLogger(TccAdvisorOrderCheck.class);

    private final ListableBeanFactory beanFactory;

    TccAdvisorOrderCheck(ListableBeanFactory beanFactory) {
        this.beanFactory = beanFactory;
    }

    @Override
    public void afterSingletonsInstantiated() {
        int innermost = Stream.concat(beanFactory.getBeansOfType(TccTransactionalAdvisor.class, false, false).values().stream()
                        .map(TccTransactionalAdvisor::getOrder),
                beanFactory.getBeansOfType(TryAdvisor.class, false, false).values().stream().map(TryAdvisor::getOrder))
                .max(Integer::compare).orElse(Integer.MIN_VALUE);
        beanFactory.getBeansOfType(BeanFactoryTransactionAttributeSourceAdvisor.class, false, false).forEach((name, advisor) -> {
            if (advisor.getOrder() <= innermost) {
                log.warn("Spring's transaction advisor '{}' has order [{}], which runs outside the TCC advisors (order [{}]):"
                        + " a @Try with a @Transactional then holds two connections, and a @TccTransactional method's own"
                        + " @Transactional commits after the TCC decision, so a failed local commit no longer cancels. Give"
                        + " @EnableTransactionManagement an order above [{}] (its default, Ordered.LOWEST_PRECEDENCE, is),"
                        + " or order the TCC advisors before it.", name, advisor.getOrder(), innermost, innermost);
            }
        });
    }
}

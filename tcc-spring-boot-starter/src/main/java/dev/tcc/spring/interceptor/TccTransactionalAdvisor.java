package dev.tcc.spring.interceptor;

import java.lang.reflect.Method;

/**
 * Applies the {@link TccTransactionInterceptor} to every method {@link dev.tcc.api.TccTransactional} covers,
 * at order {@link TccAdvisorOrder#TCC_TRANSACTIONAL}: outside Spring's transaction advisor.
 */
public final class TccTransactionalAdvisor extends AttributeSourceAdvisor {

    private static final long serialVersionUID = 1L;

    private final transient TccTransactionalAttributeSource attributes;

    public TccTransactionalAdvisor(TccTransactionalAttributeSource attributes, TccTransactionInterceptor interceptor) {
        super(interceptor);
        setOrder(TccAdvisorOrder.TCC_TRANSACTIONAL);
        this.attributes = attributes;
    }

    @Override
    boolean isAnnotated(Method method, Class<?> targetClass) {
        return attributes.isTransactional(method, targetClass);
    }
}

package dev.tcc.spring.interceptor;

import java.lang.reflect.Method;

/** Applies the {@link TccTransactionInterceptor} to every method {@link dev.tcc.api.TccTransactional} covers. */
public final class TccTransactionalAdvisor extends AttributeSourceAdvisor {

    private static final long serialVersionUID = 1L;

    private final transient TccTransactionalAttributeSource attributes;

    public TccTransactionalAdvisor(TccTransactionalAttributeSource attributes, TccTransactionInterceptor interceptor) {
        super(interceptor);
        this.attributes = attributes;
    }

    @Override
    boolean isAnnotated(Method method, Class<?> targetClass) {
        return attributes.isTransactional(method, targetClass);
    }
}

package dev.tcc.spring.interceptor;

import java.lang.reflect.Method;

/**
 * Applies the {@link TryInterceptor} to every {@link dev.tcc.api.Try} method, at order
 * {@link TccAdvisorOrder#TRY}: outside Spring's transaction advisor, so a {@code @Transactional} joins the try's transaction.
 */
public final class TryAdvisor extends AttributeSourceAdvisor {

    private static final long serialVersionUID = 1L;

    private final transient TryAttributeSource attributes;

    public TryAdvisor(TryAttributeSource attributes, TryInterceptor interceptor) {
        super(interceptor);
        setOrder(TccAdvisorOrder.TRY);
        this.attributes = attributes;
    }

    @Override
    boolean isAnnotated(Method method, Class<?> targetClass) {
        return attributes.getActionName(method, targetClass) != null;
    }
}

package dev.tcc.spring.interceptor;

import java.lang.reflect.Method;
import org.aopalliance.aop.Advice;
import org.springframework.aop.Pointcut;
import org.springframework.aop.support.AbstractPointcutAdvisor;
import org.springframework.aop.support.StaticMethodMatcherPointcut;

/** Applies the {@link TccTransactionInterceptor} to every method {@link dev.tcc.api.TccTransactional} covers. */
public final class TccTransactionalAdvisor extends AbstractPointcutAdvisor {

    private static final long serialVersionUID = 1L;

    private final transient TccTransactionalAttributeSource attributes;
    private final transient TccTransactionInterceptor interceptor;
    private final transient Pointcut pointcut = new StaticMethodMatcherPointcut() {
        @Override
        public boolean matches(Method method, Class<?> targetClass) {
            return attributes.getOptions(method, targetClass) != null;
        }
    };

    public TccTransactionalAdvisor(TccTransactionalAttributeSource attributes, TccTransactionInterceptor interceptor) {
        this.attributes = attributes;
        this.interceptor = interceptor;
    }

    @Override
    public Pointcut getPointcut() {
        return pointcut;
    }

    @Override
    public Advice getAdvice() {
        return interceptor;
    }
}

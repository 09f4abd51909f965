package dev.tcc.spring.interceptor;

import java.lang.reflect.Method;
import org.aopalliance.aop.Advice;
import org.springframework.aop.Pointcut;
import org.springframework.aop.support.AbstractPointcutAdvisor;
import org.springframework.aop.support.StaticMethodMatcherPointcut;

/** Applies the {@link TryInterceptor} to every {@link dev.tcc.api.Try} method. */
public final class TryAdvisor extends AbstractPointcutAdvisor {

    private static final long serialVersionUID = 1L;

    private final transient TryAttributeSource attributes;
    private final transient TryInterceptor interceptor;
    private final transient Pointcut pointcut = new StaticMethodMatcherPointcut() {
        @Override
        public boolean matches(Method method, Class<?> targetClass) {
            return attributes.getActionName(method, targetClass) != null;
        }
    };

    public TryAdvisor(TryAttributeSource attributes, TryInterceptor interceptor) {
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

package dev.tcc.spring.interceptor;

import java.lang.reflect.Method;
import org.aopalliance.aop.Advice;
import org.aopalliance.intercept.MethodInterceptor;
import org.springframework.aop.Pointcut;
import org.springframework.aop.support.AbstractPointcutAdvisor;
import org.springframework.aop.support.StaticMethodMatcherPointcut;

/**
 * An advisor whose pointcut asks an attribute source whether a method carries a TCC annotation,
 * in the manner of Spring's {@code BeanFactoryTransactionAttributeSourceAdvisor}. Each annotation
 * gets its own subclass, so each can be replaced on its own ({@code @ConditionalOnMissingBean}).
 */
abstract class AttributeSourceAdvisor extends AbstractPointcutAdvisor {

    private static final long serialVersionUID = 1L;

    private final transient MethodInterceptor interceptor;
    private final transient Pointcut pointcut = new StaticMethodMatcherPointcut() {
        @Override
        public boolean matches(Method method, Class<?> targetClass) {
            return isAnnotated(method, targetClass);
        }
    };

    AttributeSourceAdvisor(MethodInterceptor interceptor) {
        this.interceptor = interceptor;
    }

    /** Whether {@code method}, called on {@code targetClass}, is to be intercepted. */
    abstract boolean isAnnotated(Method method, Class<?> targetClass);

    @Override
    public Pointcut getPointcut() {
        return pointcut;
    }

    @Override
    public Advice getAdvice() {
        return interceptor;
    }
}

package dev.tcc.spring.action;

import dev.tcc.api.TccContext;
import dev.tcc.runtime.action.PhaseInvoker;
import dev.tcc.spring.action.ActionMethods.PhaseMethod;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.UndeclaredThrowableException;
import java.util.Arrays;
import org.springframework.aop.framework.Advised;
import org.springframework.aop.support.AopUtils;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.util.ReflectionUtils;

/**
 * Calls a bean's {@link dev.tcc.api.Confirm} or {@link dev.tcc.api.Cancel} method with the try's
 * arguments replayed from the barrier, and the {@link TccContext} where it declares one. The bean
 * is looked up at call time, through its proxy where possible so that its own advice applies.
 */
final class BeanPhaseInvoker implements PhaseInvoker {

    private final BeanFactory beanFactory;
    private final String beanName;
    private final PhaseMethod phase;

    BeanPhaseInvoker(BeanFactory beanFactory, String beanName, PhaseMethod phase) {
        this.beanFactory = beanFactory;
        this.beanName = beanName;
        this.phase = phase;
        ReflectionUtils.makeAccessible(phase.method());
    }

    @Override
    public void invoke(Object[] tryArguments, TccContext context) throws Exception {
        Object target = target(beanFactory.getBean(beanName));
        Object[] args = switch (phase.shape()) {
            case TRY_ARGUMENTS -> tryArguments;
            case CONTEXT -> new Object[] {context};
            case TRY_ARGUMENTS_AND_CONTEXT -> {
                Object[] all = Arrays.copyOf(tryArguments, tryArguments.length + 1);
                all[tryArguments.length] = context;
                yield all;
            }
        };
        try {
            phase.method().invoke(target, args);
        } catch (InvocationTargetException e) {
            Throwable cause = e.getTargetException();
            if (cause instanceof Exception exception) {
                throw exception;
            }
            if (cause instanceof Error error) {
                throw error;
            }
            throw new UndeclaredThrowableException(cause);
        }
    }

    /** A class-based proxy can be called directly; an interface-based one only through its interfaces, so its target is called. */
    private Object target(Object bean) throws Exception {
        Method method = phase.method();
        if (AopUtils.isJdkDynamicProxy(bean) && !method.getDeclaringClass().isInstance(bean) && bean instanceof Advised advised) {
            return advised.getTargetSource().getTarget();
        }
        return bean;
    }

    @Override
    public String toString() {
        return beanName + "." + phase.method().getName();
    }
}

package dev.tcc.spring.interceptor;

import dev.tcc.runtime.TccRuntime;
import java.util.function.Supplier;
import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;
import org.springframework.aop.support.AopUtils;

/**
 * Runs a {@link dev.tcc.api.Try} method as a branch of the transaction in progress. Recording the
 * branch, the barrier row and the local transaction are {@link TccRuntime#tryBranch}'s job; called
 * outside a transaction it throws {@link dev.tcc.api.NoTccTransactionException} and the method does not run.
 */
public final class TryInterceptor implements MethodInterceptor {

    private final TryAttributeSource attributes;
    private final Supplier<TccRuntime> runtime;

    public TryInterceptor(TryAttributeSource attributes, Supplier<TccRuntime> runtime) {
        this.attributes = attributes;
        this.runtime = runtime;
    }

    @Override
    public Object invoke(MethodInvocation invocation) throws Throwable {
        Class<?> targetClass = invocation.getThis() == null ? null : AopUtils.getTargetClass(invocation.getThis());
        String action = attributes.getActionName(invocation.getMethod(), targetClass);
        if (action == null) {
            return invocation.proceed();
        }
        return runtime.get().tryBranch(action, invocation.getArguments(), context -> Invocations.proceed(invocation));
    }
}

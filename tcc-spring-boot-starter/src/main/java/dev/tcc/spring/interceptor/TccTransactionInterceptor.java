package dev.tcc.spring.interceptor;

import dev.tcc.runtime.TccRuntime;
import dev.tcc.runtime.model.TransactionOptions;
import java.util.function.Supplier;
import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;
import org.springframework.aop.support.AopUtils;

/**
 * Runs a {@link dev.tcc.api.TccTransactional} method as a global transaction. It only reads the
 * options; beginning, joining, deciding and phase two are {@link TccRuntime#execute}'s job.
 */
public final class TccTransactionInterceptor implements MethodInterceptor {

    private final TccTransactionalAttributeSource attributes;
    private final Supplier<TccRuntime> runtime;

    /**
     * @param runtime resolved on first use, so the advisor does not pull the runtime (and its
     *                DataSource) into the bean post-processing phase
     */
    public TccTransactionInterceptor(TccTransactionalAttributeSource attributes, Supplier<TccRuntime> runtime) {
        this.attributes = attributes;
        this.runtime = runtime;
    }

    @Override
    public Object invoke(MethodInvocation invocation) throws Throwable {
        Class<?> targetClass = invocation.getThis() == null ? null : AopUtils.getTargetClass(invocation.getThis());
        TransactionOptions options = attributes.getOptions(invocation.getMethod(), targetClass);
        if (options == null) {
            return invocation.proceed();
        }
        return runtime.get().execute(options, () -> Invocations.proceed(invocation));
    }
}

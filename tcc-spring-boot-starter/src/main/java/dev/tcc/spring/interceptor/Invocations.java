package dev.tcc.spring.interceptor;

import java.lang.reflect.UndeclaredThrowableException;
import org.aopalliance.intercept.MethodInvocation;

/** Proceeds with an invocation from code that may throw only {@link Exception}s. */
final class Invocations {

    private Invocations() {
    }

    static Object proceed(MethodInvocation invocation) throws Exception {
        try {
            return invocation.proceed();
        } catch (Exception | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new UndeclaredThrowableException(t);
        }
    }
}

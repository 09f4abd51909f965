package dev.tcc.spring.interceptor;

import dev.tcc.api.Try;
import java.lang.reflect.Method;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.aop.support.AopUtils;
import org.springframework.core.MethodClassKey;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.util.ClassUtils;

/** Finds the action name of a {@link Try} method (its {@code name}, or the method name), cached per method and target class. */
public final class TryAttributeSource {

    private final Map<MethodClassKey, Optional<String>> cache = new ConcurrentHashMap<>(256);

    /** The action name of {@code method} when called on {@code targetClass}, or null when it is no try. */
    public String getActionName(Method method, Class<?> targetClass) {
        if (method.getDeclaringClass() == Object.class) {
            return null;
        }
        return cache.computeIfAbsent(new MethodClassKey(method, targetClass), k -> Optional.ofNullable(compute(method, targetClass)))
                .orElse(null);
    }

    private static String compute(Method method, Class<?> targetClass) {
        Class<?> userClass = targetClass == null ? method.getDeclaringClass() : ClassUtils.getUserClass(targetClass);
        Method specific = AopUtils.getMostSpecificMethod(method, userClass);
        Try annotation = AnnotatedElementUtils.findMergedAnnotation(specific, Try.class);
        if (annotation == null && specific != method) {
            annotation = AnnotatedElementUtils.findMergedAnnotation(method, Try.class);
        }
        return annotation == null ? null : actionName(annotation, specific);
    }

    /** The action name a {@link Try} on {@code method} declares. */
    public static String actionName(Try annotation, Method method) {
        return annotation.name().isEmpty() ? method.getName() : annotation.name();
    }
}

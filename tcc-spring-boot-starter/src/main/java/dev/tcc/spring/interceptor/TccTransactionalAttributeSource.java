package dev.tcc.spring.interceptor;

import dev.tcc.api.TccTransactional;
import dev.tcc.runtime.TransactionOptions;
import dev.tcc.runtime.support.Durations;
import dev.tcc.spring.InvalidTccDefinitionException;
import java.lang.reflect.Method;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.aop.support.AopUtils;
import org.springframework.core.MethodClassKey;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.util.ClassUtils;

/**
 * Reads {@link TccTransactional} into {@link TransactionOptions}: on the most specific method
 * first, then on the method as declared, then on the class, cached per method and target class
 * (a method without the annotation is cached as absent).
 */
public final class TccTransactionalAttributeSource {

    private final Map<MethodClassKey, Optional<TransactionOptions>> cache = new ConcurrentHashMap<>(256);

    /** The options of {@code method} when called on {@code targetClass}, or null when it is not transactional. */
    public TransactionOptions getOptions(Method method, Class<?> targetClass) {
        if (method.getDeclaringClass() == Object.class) {
            return null;
        }
        return cache.computeIfAbsent(new MethodClassKey(method, targetClass), k -> Optional.ofNullable(compute(method, targetClass)))
                .orElse(null);
    }

    /**
     * Whether {@code method}, called on {@code targetClass}, is covered by {@link TccTransactional};
     * its values are not read, so an invalid one is reported by start-up validation (with all other
     * problems) rather than while the bean is being proxied.
     */
    public boolean isTransactional(Method method, Class<?> targetClass) {
        return method.getDeclaringClass() != Object.class && find(method, targetClass) != null;
    }

    private TransactionOptions compute(Method method, Class<?> targetClass) {
        Found found = find(method, targetClass);
        return found == null ? null : toOptions(found.annotation(), found.userClass(), found.method());
    }

    private static Found find(Method method, Class<?> targetClass) {
        Class<?> userClass = targetClass == null ? method.getDeclaringClass() : ClassUtils.getUserClass(targetClass);
        Method specific = AopUtils.getMostSpecificMethod(method, userClass);
        TccTransactional annotation = AnnotatedElementUtils.findMergedAnnotation(specific, TccTransactional.class);
        if (annotation == null && specific != method) {
            annotation = AnnotatedElementUtils.findMergedAnnotation(method, TccTransactional.class);
        }
        if (annotation == null) {
            annotation = AnnotatedElementUtils.findMergedAnnotation(userClass, TccTransactional.class);
            if (annotation != null && !java.lang.reflect.Modifier.isPublic(specific.getModifiers())) {
                return null; // like @Transactional: a class-level annotation covers public methods only
            }
        }
        return annotation == null ? null : new Found(annotation, userClass, specific);
    }

    private record Found(TccTransactional annotation, Class<?> userClass, Method method) {
    }

    /**
     * Checks an annotation's values at start-up.
     *
     * @throws InvalidTccDefinitionException naming the class and method when the timeout is invalid
     */
    public static void validate(TccTransactional annotation, Class<?> userClass, Method method) {
        toOptions(annotation, userClass, method);
    }

    static TransactionOptions toOptions(TccTransactional annotation, Class<?> userClass, Method method) {
        String name = annotation.name().isEmpty() ? userClass.getSimpleName() + "." + method.getName() : annotation.name();
        Duration timeout;
        try {
            timeout = Durations.parse(annotation.timeout(), null, "@TccTransactional(timeout) of '" + name + "'");
        } catch (IllegalArgumentException e) {
            throw new InvalidTccDefinitionException(e.getMessage() + " on " + userClass.getName() + "." + method.getName() + "()",
                    "Write the timeout as a number with a unit (500ms, 30s, 5m) or as ISO-8601 (PT30S).");
        }
        return new TransactionOptions(name, timeout, List.of(annotation.noCancelFor()));
    }
}

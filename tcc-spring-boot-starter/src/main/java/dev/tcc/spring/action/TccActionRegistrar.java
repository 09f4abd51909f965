package dev.tcc.spring.action;

import dev.tcc.api.TccTransactional;
import dev.tcc.runtime.TccRuntime;
import dev.tcc.runtime.action.ActionDefinition;
import dev.tcc.runtime.support.Durations;
import dev.tcc.spi.LocalTransactionRunner;
import dev.tcc.spring.InvalidTccDefinitionException;
import dev.tcc.spring.interceptor.TccTransactionalAttributeSource;
import dev.tcc.spring.support.TransactionManagerRunners;
import java.lang.reflect.Method;
import java.lang.reflect.Parameter;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.springframework.aop.scope.ScopedProxyUtils;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.util.ClassUtils;
import org.springframework.util.ReflectionUtils;

/**
 * Once every singleton exists, discovers the beans with {@link dev.tcc.api.Try},
 * {@link dev.tcc.api.Confirm} and {@link dev.tcc.api.Cancel} methods, checks that they pair up
 * (and that {@link TccTransactional} methods can be proxied and have valid timeouts), and
 * registers each action with the {@link TccRuntime}. A problem stops the context with an
 * {@link InvalidTccDefinitionException}.
 */
public final class TccActionRegistrar implements SmartInitializingSingleton {

    private final ConfigurableListableBeanFactory beanFactory;
    private final ObjectProvider<TccRuntime> runtime;
    private final TransactionManagerRunners runners;

    public TccActionRegistrar(ConfigurableListableBeanFactory beanFactory, ObjectProvider<TccRuntime> runtime,
                              TransactionManagerRunners runners) {
        this.beanFactory = beanFactory;
        this.runtime = runtime;
        this.runners = runners;
    }

    @Override
    public void afterSingletonsInstantiated() {
        Map<String, ActionMethods> byName = new HashMap<>();
        for (String beanName : beanFactory.getBeanDefinitionNames()) {
            Class<?> beanClass = beanClass(beanName);
            if (beanClass == null || !ActionMethodsIntrospector.isCandidate(beanClass)) {
                continue;
            }
            List<ActionMethods> actions = ActionMethodsIntrospector.introspect(beanName, beanClass);
            checkTransactionalTimeouts(beanClass);
            for (ActionMethods action : actions) {
                ActionMethods previous = byName.putIfAbsent(action.name(), action);
                if (previous != null) {
                    throw new InvalidTccDefinitionException("Two @Try methods are for action '" + action.name() + "': '"
                            + ActionMethodsIntrospector.signature(previous.beanClass(), previous.tryMethod()) + "' (bean '"
                            + previous.beanName() + "') and '" + ActionMethodsIntrospector.signature(beanClass, action.tryMethod())
                            + "' (bean '" + beanName + "')", "Action names are global: give one of them another name with"
                            + " @Try(name = \"...\") and point its @Confirm/@Cancel at it.");
                }
            }
        }
        if (byName.isEmpty()) {
            return;
        }
        TccRuntime tcc = runtime.getObject();
        byName.values().forEach(action -> tcc.register(definition(tcc, action)));
    }

    private Class<?> beanClass(String beanName) {
        if (ScopedProxyUtils.isScopedTarget(beanName)) {
            return null; // its scoped proxy is scanned under the plain name
        }
        BeanDefinition definition = beanFactory.getMergedBeanDefinition(beanName);
        if (definition.isAbstract()) {
            return null;
        }
        Class<?> type = beanFactory.getType(beanName, false);
        return type == null ? null : ClassUtils.getUserClass(type);
    }

    private static void checkTransactionalTimeouts(Class<?> beanClass) {
        ReflectionUtils.doWithMethods(beanClass, method -> {
            TccTransactional annotation = AnnotatedElementUtils.findMergedAnnotation(method, TccTransactional.class);
            if (annotation != null) {
                TccTransactionalAttributeSource.validate(annotation, beanClass, method);
            }
        }, method -> !method.isBridge() && AnnotatedElementUtils.hasAnnotation(method, TccTransactional.class));
        TccTransactional onClass = AnnotatedElementUtils.findMergedAnnotation(beanClass, TccTransactional.class);
        if (onClass != null) {
            Method any = beanClass.getMethods().length > 0 ? beanClass.getMethods()[0] : null;
            if (any != null) {
                TccTransactionalAttributeSource.validate(onClass, beanClass, any);
            }
        }
    }

    private ActionDefinition definition(TccRuntime tcc, ActionMethods action) {
        String where = "@Try '" + action.name() + "' on '" + ActionMethodsIntrospector.signature(action.beanClass(), action.tryMethod()) + "'";
        Duration hold;
        try {
            // "${sample.hold.seats:30s}" placeholders resolve against the environment, like @Scheduled
            String text = beanFactory.resolveEmbeddedValue(action.tryAnnotation().hold());
            hold = Durations.parse(text, tcc.settings().defaultHold(), where + " hold");
        } catch (IllegalArgumentException e) {
            throw new InvalidTccDefinitionException(e.getMessage(),
                    "Write the hold as a number with a unit (500ms, 30s, 15m, 2h) or as ISO-8601 (PT15M).");
        }
        LocalTransactionRunner runner = runners.forTransactionManager(action.tryAnnotation().transactionManager(), where);
        Method tryMethod = action.tryMethod();
        return new ActionDefinition(action.name(), action.owner(), hold, action.tryAnnotation().externalEffects(),
                tryMethod.getGenericParameterTypes(), parameterNames(tryMethod), tryMethod.getGenericReturnType(), runner,
                new BeanPhaseInvoker(beanFactory, action.beanName(), action.confirm()),
                new BeanPhaseInvoker(beanFactory, action.beanName(), action.cancel()));
    }

    private static String[] parameterNames(Method method) {
        Parameter[] parameters = method.getParameters();
        String[] names = new String[parameters.length];
        for (int i = 0; i < parameters.length; i++) {
            names[i] = parameters[i].getName(); // argN without -parameters; used in messages only
        }
        return names;
    }
}

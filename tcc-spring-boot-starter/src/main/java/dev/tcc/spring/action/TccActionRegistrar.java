package dev.tcc.spring.action;

import dev.tcc.api.TccTransactional;
import dev.tcc.runtime.TccRuntime;
import dev.tcc.runtime.action.ActionDefinition;
import dev.tcc.runtime.model.TccSettings;
import dev.tcc.runtime.support.Durations;
import dev.tcc.spi.LocalTransactionRunner;
import dev.tcc.spring.InvalidTccDefinitionException;
import dev.tcc.spring.interceptor.TccTransactionalAttributeSource;
import dev.tcc.spring.support.SpringLocalTransactionRunner;
import dev.tcc.spring.support.TransactionManagerRunners;
import java.lang.reflect.Method;
import java.lang.reflect.Parameter;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.aop.framework.autoproxy.AutoProxyUtils;
import org.springframework.aop.scope.ScopedProxyUtils;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.beans.factory.config.EmbeddedValueResolver;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.transaction.annotation.AnnotationTransactionAttributeSource;
import org.springframework.transaction.interceptor.TransactionAttribute;
import org.springframework.transaction.interceptor.TransactionAttributeSource;
import org.springframework.transaction.interceptor.TransactionInterceptor;
import org.springframework.util.ClassUtils;
import org.springframework.util.ReflectionUtils;

/**
 * Once every singleton exists, discovers the beans with {@link dev.tcc.api.Try},
 * {@link dev.tcc.api.Confirm} and {@link dev.tcc.api.Cancel} methods, checks that they pair up
 * (and that {@link TccTransactional} methods can be proxied and have valid timeouts), decides
 * each barrier's transaction manager ({@link BarrierTransactionRule}), and registers each action
 * with the {@link TccRuntime}. Problems stop the context with one
 * {@link InvalidTccDefinitionException} that lists every problem of the application.
 */
public final class TccActionRegistrar implements SmartInitializingSingleton {

    private static final String PLACEHOLDER_FIX = "Define the property it names, or give the placeholder a default: ${name:15m}.";

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
        DefinitionProblems problems = new DefinitionProblems();
        Map<String, ActionMethods> byName = new LinkedHashMap<>();
        for (String beanName : beanFactory.getBeanDefinitionNames()) {
            Class<?> beanClass = beanClass(beanName);
            if (beanClass == null || !ActionMethodsIntrospector.isCandidate(beanClass)) {
                continue;
            }
            List<ActionMethods> actions = ActionMethodsIntrospector.introspect(beanName, beanClass, problems);
            checkTransactionalTimeouts(beanClass, problems);
            for (ActionMethods action : actions) {
                ActionMethods previous = byName.putIfAbsent(action.name(), action);
                if (previous != null) {
                    problems.add(new InvalidTccDefinitionException("Two @Try methods are for action '" + action.name() + "': '"
                            + ActionMethodsIntrospector.signature(previous.beanClass(), previous.tryMethod()) + "' (bean '"
                            + previous.beanName() + "') and '" + ActionMethodsIntrospector.signature(beanClass, action.tryMethod())
                            + "' (bean '" + beanName + "')", "Action names are global: give one of them another name with"
                            + " @Try(name = \"...\") and point its @Confirm/@Cancel at it."));
                }
            }
        }
        if (byName.isEmpty()) {
            problems.throwIfAny();
            return;
        }
        TccRuntime tcc = runtime.getObject();
        BarrierTransactionRule transactions = new BarrierTransactionRule(transactionAttributes(), runners);
        List<ActionDefinition> definitions = new ArrayList<>();
        for (ActionMethods action : byName.values()) {
            ActionDefinition definition = definition(tcc.settings(), transactions, action, problems);
            if (definition != null) {
                definitions.add(definition);
            }
        }
        problems.throwIfAny();
        definitions.forEach(tcc::register);
    }

    /** The attribute source Spring's own transaction interceptor reads {@code @Transactional} with, or one like it. */
    private TransactionAttributeSource transactionAttributes() {
        TransactionInterceptor interceptor = beanFactory.getBeanProvider(TransactionInterceptor.class).getIfUnique();
        if (interceptor != null && interceptor.getTransactionAttributeSource() != null) {
            return interceptor.getTransactionAttributeSource();
        }
        AnnotationTransactionAttributeSource source = new AnnotationTransactionAttributeSource(false);
        source.setEmbeddedValueResolver(new EmbeddedValueResolver(beanFactory));
        return source;
    }

    private Class<?> beanClass(String beanName) {
        if (ScopedProxyUtils.isScopedTarget(beanName)) {
            return null; // its scoped proxy is scanned under the plain name
        }
        BeanDefinition definition = beanFactory.getMergedBeanDefinition(beanName);
        if (definition.isAbstract()) {
            return null;
        }
        // the target class, not a JDK proxy's $Proxy type (spring.aop.proxy-target-class=false)
        Class<?> type = AutoProxyUtils.determineTargetClass(beanFactory, beanName);
        if (type == null) {
            type = beanFactory.getType(beanName, false);
        }
        return type == null || Proxy.isProxyClass(type) ? null : ClassUtils.getUserClass(type);
    }

    private static void checkTransactionalTimeouts(Class<?> beanClass, DefinitionProblems problems) {
        ReflectionUtils.doWithMethods(beanClass, method -> {
            TccTransactional annotation = AnnotatedElementUtils.findMergedAnnotation(method, TccTransactional.class);
            if (annotation != null) {
                problems.check(() -> TccTransactionalAttributeSource.validate(annotation, beanClass, method));
            }
        }, method -> !method.isBridge() && AnnotatedElementUtils.hasAnnotation(method, TccTransactional.class));
        TccTransactional onClass = AnnotatedElementUtils.findMergedAnnotation(beanClass, TccTransactional.class);
        if (onClass != null) {
            Method any = beanClass.getMethods().length > 0 ? beanClass.getMethods()[0] : null;
            if (any != null) {
                problems.check(() -> TccTransactionalAttributeSource.validate(onClass, beanClass, any));
            }
        }
    }

    /** The definition of {@code action}, or null when it is invalid (its problems went to {@code problems}). */
    private ActionDefinition definition(TccSettings settings, BarrierTransactionRule transactions, ActionMethods action,
                                        DefinitionProblems problems) {
        String where = "@Try '" + action.name() + "' on '" + ActionMethodsIntrospector.signature(action.beanClass(), action.tryMethod()) + "'";
        Duration hold = hold(settings, action, where, problems);
        String manager = transactions.barrierManager(action, problems);
        if (manager == null) {
            return null;
        }
        LocalTransactionRunner runner;
        try {
            boolean fromTransactional = action.tryAnnotation().transactionManager().isEmpty() && !manager.isEmpty();
            SpringLocalTransactionRunner shared = runners.forTransactionManager(manager,
                    fromTransactional ? where + " (through its @Transactional)" : where);
            TransactionAttribute onTry = transactions.tryAttribute(action);
            // the try's body joins the barrier's transaction: that transaction takes the body's isolation and timeout
            runner = onTry == null ? shared : shared.withSettings(onTry.getIsolationLevel(), onTry.getTimeout());
        } catch (InvalidTccDefinitionException e) {
            problems.add(e);
            return null;
        }
        if (hold == null) {
            return null;
        }
        Method tryMethod = action.tryMethod();
        return new ActionDefinition(action.name(), action.owner(), hold, action.tryAnnotation().externalEffects(),
                tryMethod.getGenericParameterTypes(), parameterNames(tryMethod), tryMethod.getGenericReturnType(), runner,
                new BeanPhaseInvoker(beanFactory, action.beanName(), action.confirm()),
                new BeanPhaseInvoker(beanFactory, action.beanName(), action.cancel()));
    }

    /** The hold of {@code action}, placeholders resolved like {@code @Scheduled}'s; null when invalid. */
    private Duration hold(TccSettings settings, ActionMethods action, String where, DefinitionProblems problems) {
        String declared = action.tryAnnotation().hold();
        String text;
        try {
            text = beanFactory.resolveEmbeddedValue(declared);
        } catch (IllegalArgumentException e) { // a strict placeholder configurer, as in every Spring Boot application
            problems.add(new InvalidTccDefinitionException(where + " has hold [" + declared + "], which cannot be resolved: "
                    + e.getMessage(), PLACEHOLDER_FIX));
            return null;
        }
        if (text != null && text.contains("${")) { // the context's lenient default resolver left it as it was
            problems.add(new InvalidTccDefinitionException(where + " has hold [" + declared + "], whose placeholder names no"
                    + " property of the environment" + (text.equals(declared) ? "" : " (resolved as far as [" + text + "])"),
                    PLACEHOLDER_FIX));
            return null;
        }
        Duration hold;
        try {
            hold = Durations.parse(text, settings.hold().defaultDuration(), where + " hold");
        } catch (IllegalArgumentException e) {
            problems.add(new InvalidTccDefinitionException(e.getMessage(),
                    "Write the hold as a number with a unit (500ms, 30s, 15m, 2h) or as ISO-8601 (PT15M)."));
            return null;
        }
        if (hold.compareTo(settings.hold().safetyMargin()) <= 0) {
            problems.add(new InvalidTccDefinitionException(where + " holds for [" + hold + "], which is not longer than"
                    + " tcc.hold.safety-margin [" + settings.hold().safetyMargin() + "]: the coordinator refuses to confirm a hold that"
                    + " expires within the margin, so every transaction with this try would be cancelled",
                    "Make the hold longer than [" + settings.hold().safetyMargin() + "] (minutes for a human-paced flow), or lower"
                            + " tcc.hold.safety-margin."));
            return null;
        }
        return hold;
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

package dev.tcc.spring.action;

import dev.tcc.api.Cancel;
import dev.tcc.api.Confirm;
import dev.tcc.api.TccContext;
import dev.tcc.api.TccTransactional;
import dev.tcc.api.Try;
import dev.tcc.spring.InvalidTccDefinitionException;
import dev.tcc.spring.action.ActionMethods.ParameterShape;
import dev.tcc.spring.action.ActionMethods.PhaseMethod;
import dev.tcc.spring.interceptor.TryAttributeSource;
import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.core.annotation.AnnotationUtils;
import org.springframework.util.ClassUtils;
import org.springframework.util.ReflectionUtils;

/**
 * Finds the {@link Try}, {@link Confirm} and {@link Cancel} methods of a bean class and checks
 * that they pair up; also checks that every TCC-annotated method can be proxied and that a try
 * declares no {@link TccContext}. Every problem is an {@link InvalidTccDefinitionException} naming
 * the class, the method and the fix; all of a class's problems are reported, not only the first.
 */
public final class ActionMethodsIntrospector {

    private static final Set<Class<? extends Annotation>> ANNOTATIONS = Set.of(Try.class, Confirm.class, Cancel.class,
            TccTransactional.class);

    private ActionMethodsIntrospector() {
    }

    /** Whether {@code type} may carry TCC annotations at all (a cheap check before introspecting). */
    public static boolean isCandidate(Class<?> type) {
        return AnnotationUtils.isCandidateClass(type, ANNOTATIONS);
    }

    /**
     * The actions {@code beanClass} declares, in declaration order; empty when it declares none.
     *
     * @throws InvalidTccDefinitionException listing every problem of the class
     */
    public static List<ActionMethods> introspect(String beanName, Class<?> beanClass) {
        DefinitionProblems problems = new DefinitionProblems();
        List<ActionMethods> actions = introspect(beanName, beanClass, problems);
        problems.throwIfAny();
        return actions;
    }

    /** The actions of {@code beanClass} that are valid; the problems of the others go to {@code problems}. */
    static List<ActionMethods> introspect(String beanName, Class<?> beanClass, DefinitionProblems problems) {
        Map<String, Method> tries = new LinkedHashMap<>();
        Map<String, Method> confirms = new LinkedHashMap<>();
        Map<String, Method> cancels = new LinkedHashMap<>();
        Set<String> invalid = new HashSet<>();
        ReflectionUtils.doWithMethods(beanClass, method -> {
            problems.check(() -> checkProxyable(beanClass, method));
            Try tryAnnotation = AnnotatedElementUtils.findMergedAnnotation(method, Try.class);
            if (tryAnnotation != null) {
                String name = TryAttributeSource.actionName(tryAnnotation, method);
                boolean unique = problems.check(() -> put(beanClass, tries, name, method, "@Try",
                        "Give one of them another name with @Try(name = \"...\")."));
                boolean withoutContext = problems.check(() -> checkNoContext(beanClass, method));
                if (!unique || !withoutContext) {
                    invalid.add(name);
                }
            }
            Confirm confirm = AnnotatedElementUtils.findMergedAnnotation(method, Confirm.class);
            if (confirm != null) {
                problems.check(() -> put(beanClass, confirms, confirm.value(), method, "@Confirm", "Keep one @Confirm per action."));
            }
            Cancel cancel = AnnotatedElementUtils.findMergedAnnotation(method, Cancel.class);
            if (cancel != null) {
                problems.check(() -> put(beanClass, cancels, cancel.value(), method, "@Cancel", "Keep one @Cancel per action."));
            }
        }, method -> !method.isBridge() && !method.isSynthetic() && !isOverridden(method, beanClass) && hasAnyAnnotation(method));
        checkNoOrphans(beanClass, confirms, tries, "@Confirm", problems);
        checkNoOrphans(beanClass, cancels, tries, "@Cancel", problems);
        List<ActionMethods> result = new ArrayList<>();
        tries.forEach((name, tryMethod) -> {
            Method confirm = confirms.get(name);
            Method cancel = cancels.get(name);
            boolean hasConfirm = problems.check(() -> required(beanClass, confirm, name, tryMethod, "@Confirm", "confirm"));
            boolean hasCancel = problems.check(() -> required(beanClass, cancel, name, tryMethod, "@Cancel", "cancel"));
            if (!hasConfirm || !hasCancel || invalid.contains(name)) {
                return;
            }
            ParameterShape[] shapes = new ParameterShape[2];
            boolean confirmMatches = problems.check(() -> shapes[0] = shape(beanClass, name, tryMethod, confirm, "@Confirm"));
            boolean cancelMatches = problems.check(() -> shapes[1] = shape(beanClass, name, tryMethod, cancel, "@Cancel"));
            if (confirmMatches && cancelMatches) {
                result.add(new ActionMethods(beanName, beanClass, name, tryMethod,
                        AnnotatedElementUtils.findMergedAnnotation(tryMethod, Try.class),
                        new PhaseMethod(confirm, shapes[0]), new PhaseMethod(cancel, shapes[1])));
            }
        });
        return result;
    }

    /** A try cannot be handed its context: the caller has none to pass, and it would replay as null into the confirm. */
    private static void checkNoContext(Class<?> beanClass, Method method) {
        if (Arrays.asList(method.getParameterTypes()).contains(TccContext.class)) {
            throw new InvalidTccDefinitionException("@Try method '" + signature(beanClass, method) + "' declares a TccContext"
                    + " parameter, which its caller cannot supply (it could only pass null, and the confirm and cancel would"
                    + " then be replayed with that null)", "Remove the TccContext parameter: a try reads its branch through"
                    + " TccContextHolder.currentBranch(); confirm and cancel may declare TccContext.");
        }
    }

    /** Whether a subclass of {@code method}'s class (up to {@code beanClass}) overrides it: the override is the one visited. */
    private static boolean isOverridden(Method method, Class<?> beanClass) {
        return !ClassUtils.getMostSpecificMethod(method, beanClass).equals(method);
    }

    private static boolean hasAnyAnnotation(Method method) {
        for (Class<? extends Annotation> type : ANNOTATIONS) {
            if (AnnotatedElementUtils.hasAnnotation(method, type)) {
                return true;
            }
        }
        return false;
    }

    private static void checkProxyable(Class<?> beanClass, Method method) {
        int modifiers = method.getModifiers();
        String problem = Modifier.isStatic(modifiers) ? "static" : Modifier.isPrivate(modifiers) ? "private"
                : Modifier.isFinal(modifiers) ? "final" : null;
        if (problem != null) {
            String annotation = ANNOTATIONS.stream().filter(a -> AnnotatedElementUtils.hasAnnotation(method, a))
                    .map(a -> "@" + a.getSimpleName()).sorted().collect(Collectors.joining(", "));
            throw new InvalidTccDefinitionException(annotation + " method '" + signature(beanClass, method) + "' is " + problem
                    + ", so Spring cannot intercept it and the annotation would be ignored",
                    "Make '" + method.getName() + "' a non-" + problem + " instance method (public or package-private).");
        }
    }

    private static void put(Class<?> beanClass, Map<String, Method> methods, String name, Method method, String annotation,
                            String action) {
        Method previous = methods.putIfAbsent(name, method);
        if (previous != null) {
            throw new InvalidTccDefinitionException("Two " + annotation + " methods of " + beanClass.getName() + " are for action '"
                    + name + "': '" + signature(beanClass, previous) + "' and '" + signature(beanClass, method) + "'", action);
        }
    }

    private static void checkNoOrphans(Class<?> beanClass, Map<String, Method> phases, Map<String, Method> tries, String annotation,
                                       DefinitionProblems problems) {
        phases.forEach((name, method) -> {
            if (!tries.containsKey(name)) {
                problems.add(new InvalidTccDefinitionException(annotation + "(\"" + name + "\") on '" + signature(beanClass, method)
                        + "' names no @Try action of that name in the same bean; its @Try actions are " + tries.keySet(),
                        "Use the action name of a @Try method of " + beanClass.getSimpleName()
                                + " (the method name, or @Try(name = ...)), and keep try, confirm and cancel in one bean."));
            }
        });
    }

    private static Method required(Class<?> beanClass, Method method, String name, Method tryMethod, String annotation,
                                   String verb) {
        if (method == null) {
            throw new InvalidTccDefinitionException("@Try action '" + name + "' on '" + signature(beanClass, tryMethod) + "' has no "
                    + annotation + " method", "Add a method annotated " + annotation + "(\"" + name + "\") to "
                    + beanClass.getSimpleName() + " that " + verb + "s the hold; it takes the try's parameters "
                    + typeNames(tryMethod.getGenericParameterTypes()) + ", optionally followed by TccContext, or TccContext alone.");
        }
        return method;
    }

    private static ParameterShape shape(Class<?> beanClass, String name, Method tryMethod, Method phase, String annotation) {
        Type[] tryTypes = tryMethod.getGenericParameterTypes();
        Type[] types = phase.getGenericParameterTypes();
        if (Arrays.equals(types, tryTypes)) {
            return ParameterShape.TRY_ARGUMENTS;
        }
        if (types.length == 1 && types[0] == TccContext.class) {
            return ParameterShape.CONTEXT;
        }
        if (types.length == tryTypes.length + 1 && types[tryTypes.length] == TccContext.class
                && Arrays.equals(Arrays.copyOf(types, tryTypes.length), tryTypes)) {
            return ParameterShape.TRY_ARGUMENTS_AND_CONTEXT;
        }
        throw new InvalidTccDefinitionException(annotation + "(\"" + name + "\") method '" + signature(beanClass, phase)
                + "' has parameters " + typeNames(types) + " that do not match its @Try '" + signature(beanClass, tryMethod) + "'",
                "Declare the try's parameters " + typeNames(tryTypes) + ", optionally followed by TccContext, or TccContext alone.");
    }

    static String signature(Class<?> beanClass, Method method) {
        return beanClass.getName() + "." + method.getName() + "(" + Arrays.stream(method.getGenericParameterTypes())
                .map(ActionMethodsIntrospector::typeName).collect(Collectors.joining(", ")) + ")";
    }

    private static String typeNames(Type[] types) {
        return "[" + Arrays.stream(types).map(ActionMethodsIntrospector::typeName).collect(Collectors.joining(", ")) + "]";
    }

    private static String typeName(Type type) {
        return type instanceof Class<?> c ? c.getSimpleName() : type.getTypeName();
    }
}

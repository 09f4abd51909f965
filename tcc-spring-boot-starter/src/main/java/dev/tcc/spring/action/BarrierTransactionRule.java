package dev.tcc.spring.action;

import dev.tcc.spring.InvalidTccDefinitionException;
import dev.tcc.spring.support.TransactionManagerRunners;
import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.Set;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.interceptor.TransactionAttribute;
import org.springframework.transaction.interceptor.TransactionAttributeSource;
import org.springframework.util.StringUtils;

/**
 * Decides which transaction manager an action's barrier rows commit with, and refuses a
 * {@code @Transactional} that would commit the try, confirm or cancel body anywhere else.
 * <p>
 * The barrier's manager is the one {@code @Try(transactionManager)} names, else the one the
 * {@code @Transactional} of the try method or its class names (read through Spring's own
 * {@link TransactionAttributeSource}: method, then class, then interface), else the one Spring's
 * interceptor picks for the class ({@link TransactionManagerRunners#chosenBySpring}: a class-level
 * {@code @Qualifier}, a {@code TransactionManagementConfigurer}'s, then the primary one).
 * A {@code @Transactional} on the try, confirm or cancel method (or their class) must then run
 * its body in that same transaction: the same manager (chosen the way Spring chooses it), and
 * no {@code REQUIRES_NEW}, {@code NOT_SUPPORTED} or {@code NEVER}. Otherwise the body's commit
 * and the barrier's commit are two commits, and a crash between them runs a body twice or loses it.
 */
final class BarrierTransactionRule {

    private static final Set<Integer> OUTSIDE = Set.of(TransactionDefinition.PROPAGATION_REQUIRES_NEW,
            TransactionDefinition.PROPAGATION_NOT_SUPPORTED, TransactionDefinition.PROPAGATION_NEVER);

    private final TransactionAttributeSource attributes;
    private final TransactionManagerRunners managers;

    BarrierTransactionRule(TransactionAttributeSource attributes, TransactionManagerRunners managers) {
        this.attributes = attributes;
        this.managers = managers;
    }

    /**
     * The bean name of the transaction manager of {@code action}'s barrier, empty when Spring would
     * find no single one (the runner then says so); null when a {@code @Transactional} conflicts with
     * it (the problems went to {@code problems}).
     */
    String barrierManager(ActionMethods action, DefinitionProblems problems) {
        Class<?> beanClass = action.beanClass();
        Method tryMethod = action.tryMethod();
        TransactionAttribute onTry = attributes.getTransactionAttribute(tryMethod, beanClass);
        String named = action.tryAnnotation().transactionManager();
        int before = problems.size();
        String barrier;
        if (!named.isEmpty()) {
            barrier = managers.beanNameFor(named);
            String body;
            try {
                body = onTry == null ? null : managerOf(onTry, beanClass);
            } catch (InvalidTccDefinitionException e) {
                problems.add(e);
                return null;
            }
            if (body != null && !body.equals(barrier)) {
                problems.add(new InvalidTccDefinitionException("@Try method '" + signature(action, tryMethod)
                        + "' names transaction manager '" + barrier + "' for its barrier, but its @Transactional (on the method"
                        + " or its class) runs the body in '" + body + "'" + unqualified(onTry)
                        + ": the business writes and the barrier row would commit in two transactions",
                        "Name one manager in both: @Transactional(\"" + barrier + "\"), or leave @Try(transactionManager) empty"
                                + " and the barrier follows @Transactional."));
            }
        } else {
            try {
                String chosen = managers.chosenBySpring(onTry == null ? null : onTry.getQualifier(), beanClass);
                barrier = chosen == null ? "" : chosen;
            } catch (InvalidTccDefinitionException e) {
                problems.add(e);
                return null;
            }
        }
        if (onTry != null) {
            checkPropagation(action, tryMethod, "@Try", onTry, problems);
            checkNotReadOnly(action, tryMethod, onTry, problems);
        }
        String barrierName = barrier.isEmpty() ? null : barrier;
        checkPhase(action, action.confirm().method(), "@Confirm", barrierName, problems);
        checkPhase(action, action.cancel().method(), "@Cancel", barrierName, problems);
        return problems.size() == before ? barrier : null;
    }

    private void checkPhase(ActionMethods action, Method method, String annotation, String barrier, DefinitionProblems problems) {
        TransactionAttribute attribute = attributes.getTransactionAttribute(method, action.beanClass());
        if (attribute == null) {
            return;
        }
        checkPropagation(action, method, annotation, attribute, problems);
        String body;
        try {
            body = managerOf(attribute, action.beanClass());
        } catch (InvalidTccDefinitionException e) {
            problems.add(e);
            return;
        }
        if (barrier != null && body != null && !body.equals(barrier)) {
            problems.add(new InvalidTccDefinitionException(annotation + "(\"" + action.name() + "\") method '" + signature(action, method)
                    + "' is @Transactional on transaction manager '" + body + "'" + unqualified(attribute) + ", but the barrier of action '"
                    + action.name() + "' commits with '" + barrier + "': the body would commit in another transaction than the"
                    + " barrier row that makes it run once",
                    "Use @Transactional(\"" + barrier + "\") on '" + method.getName() + "', or remove its @Transactional"
                            + " (it runs in the barrier's transaction already)."));
        }
    }

    /**
     * The {@code @Transactional} of {@code action}'s try (method, class or interface), null when it
     * has none: its isolation and timeout are the barrier transaction's, which its body joins.
     */
    TransactionAttribute tryAttribute(ActionMethods action) {
        return attributes.getTransactionAttribute(action.tryMethod(), action.beanClass());
    }

    private static void checkNotReadOnly(ActionMethods action, Method tryMethod, TransactionAttribute onTry,
                                         DefinitionProblems problems) {
        if (onTry.isReadOnly()) {
            problems.add(new InvalidTccDefinitionException("@Try method '" + signature(action, tryMethod) + "' is"
                    + " @Transactional(readOnly = true) (on the method or its class), but a try writes its barrier row and its"
                    + " hold in that transaction", "Remove readOnly from the @Transactional of '" + tryMethod.getName()
                    + "' (put @Transactional without readOnly on the method when its class is read-only)."));
        }
    }

    private static void checkPropagation(ActionMethods action, Method method, String annotation, TransactionAttribute attribute,
                                         DefinitionProblems problems) {
        int propagation = attribute.getPropagationBehavior();
        if (OUTSIDE.contains(propagation)) {
            String name = Arrays.stream(Propagation.values()).filter(p -> p.value() == propagation).findFirst()
                    .map(Enum::name).orElse(String.valueOf(propagation));
            problems.add(new InvalidTccDefinitionException(annotation + (annotation.equals("@Try") ? "" : "(\"" + action.name() + "\")")
                    + " method '" + signature(action, method) + "' is @Transactional(propagation = " + name + "), which runs its body"
                    + " outside the barrier's transaction: the body and the barrier row would not commit together",
                    "Remove the propagation from '" + method.getName() + "' (the default, REQUIRED, joins the barrier's transaction),"
                            + " or move the work that must commit on its own out of the TCC method."));
        }
    }

    /** The bean name of the manager {@code attribute} runs in on {@code beanClass}, chosen as Spring chooses it; null when unknown. */
    private String managerOf(TransactionAttribute attribute, Class<?> beanClass) {
        return managers.chosenBySpring(attribute.getQualifier(), beanClass);
    }

    private static String unqualified(TransactionAttribute attribute) {
        return StringUtils.hasText(attribute.getQualifier()) ? ""
                : " (it names none, so the one Spring picks: a @Qualifier on the class, a TransactionManagementConfigurer's, or the primary one)";
    }

    private static String signature(ActionMethods action, Method method) {
        return ActionMethodsIntrospector.signature(action.beanClass(), method);
    }
}

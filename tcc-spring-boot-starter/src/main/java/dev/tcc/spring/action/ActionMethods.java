package dev.tcc.spring.action;

import dev.tcc.api.Try;
import java.lang.reflect.Method;

/**
 * The three methods of one annotated TCC action, found on one bean and already checked to pair up.
 *
 * @param beanName   the bean that declares them
 * @param beanClass  its user class (not the proxy class)
 * @param name       action name
 * @param tryMethod  the {@link Try} method
 * @param tryAnnotation its annotation
 * @param confirm    the {@link dev.tcc.api.Confirm} method and how its parameters map
 * @param cancel     the {@link dev.tcc.api.Cancel} method and how its parameters map
 */
public record ActionMethods(String beanName, Class<?> beanClass, String name, Method tryMethod, Try tryAnnotation,
                            PhaseMethod confirm, PhaseMethod cancel) {

    /** {@code SeatService.holdSeats}, for messages. */
    public String owner() {
        return beanClass.getSimpleName() + "." + tryMethod.getName();
    }

    /**
     * A confirm or cancel method.
     *
     * @param method the method
     * @param shape  which of the allowed parameter lists it declares
     */
    public record PhaseMethod(Method method, ParameterShape shape) {
    }

    /** The parameter lists a confirm or cancel may declare. */
    public enum ParameterShape {
        /** The try's parameters. */
        TRY_ARGUMENTS,
        /** The try's parameters followed by a {@link dev.tcc.api.TccContext}. */
        TRY_ARGUMENTS_AND_CONTEXT,
        /** A {@link dev.tcc.api.TccContext} alone. */
        CONTEXT
    }
}

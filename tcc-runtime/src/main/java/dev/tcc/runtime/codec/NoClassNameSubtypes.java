package dev.tcc.runtime.codec;

import tools.jackson.databind.DatabindContext;
import tools.jackson.databind.JavaType;
import tools.jackson.databind.jsontype.PolymorphicTypeValidator;

/**
 * Refuses every subtype that JSON names by class. Jackson asks it only for types annotated
 * {@code @JsonTypeInfo(use = CLASS | MINIMAL_CLASS)} (and for default typing, which the codec turns off); by default
 * (3.x as 2.x) it would build whatever class the stored JSON names below such a type, so a row in the
 * database could choose a class to instantiate. Subtypes chosen by a name from {@code @JsonSubTypes} are not
 * affected.
 */
final class NoClassNameSubtypes extends PolymorphicTypeValidator.Base {

    private static final long serialVersionUID = 1L;

    static final NoClassNameSubtypes INSTANCE = new NoClassNameSubtypes();

    private NoClassNameSubtypes() {
    }

    @Override
    public Validity validateBaseType(DatabindContext ctxt, JavaType baseType) {
        return Validity.DENIED;
    }

    @Override
    public Validity validateSubClassName(DatabindContext ctxt, JavaType baseType, String subClassName) {
        return Validity.DENIED;
    }

    @Override
    public Validity validateSubType(DatabindContext ctxt, JavaType baseType, JavaType subType) {
        return Validity.DENIED;
    }
}

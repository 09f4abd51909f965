package dev.tcc.runtime.plain;

import dev.tcc.runtime.action.ActionDefinition;
import dev.tcc.runtime.action.ParticipantDatabase;
import dev.tcc.runtime.action.TryBody;
import java.time.Duration;
import java.util.Collection;

/**
 * What {@link TccActionBuilder} and {@link TccAction} need of the runtime: its default hold, the
 * databases already registered, registration and a try. The runtime hands one out from
 * {@code TccRuntime.action(...)}; this package does not know the runtime itself.
 */
public interface ActionRegistration {

    /** The hold of an action that names none. */
    Duration defaultHold();

    /** The participant databases registered so far. */
    Collection<ParticipantDatabase> databases();

    /** Registers a local action. */
    void register(ActionDefinition action);

    /** Runs a try of a registered action as a branch of the transaction in progress. */
    Object tryBranch(String action, Object[] args, TryBody body) throws Exception;
}

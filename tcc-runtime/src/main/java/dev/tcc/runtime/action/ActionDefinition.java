package dev.tcc.runtime.action;

import dev.tcc.spi.LocalTransactionRunner;
import java.lang.reflect.Type;
import java.time.Duration;
import java.util.Objects;

/**
 * Everything the runtime needs to run one TCC action: its name, hold, the declared types it
 * stores and replays, where its local transactions run, and its confirm and cancel bodies.
 *
 * @param name            action name; also the participant id branches are routed by
 * @param owner           human description for messages, such as {@code SeatService.holdSeats}
 * @param hold            how long the hold lives unconfirmed
 * @param externalEffects whether the cancel must run even when the try's local transaction rolled back
 * @param parameterTypes  declared (generic) parameter types of the try
 * @param parameterNames  parameter names, for messages
 * @param returnType      declared (generic) return type of the try
 * @param runner          the participant database's local transactions; the try's run with this very runner (so it
 *                        may carry the try's own settings), and actions on one database share its {@code name()}
 * @param confirm         the confirm body
 * @param cancel          the cancel body
 */
public record ActionDefinition(String name, String owner, Duration hold, boolean externalEffects,
                               Type[] parameterTypes, String[] parameterNames, Type returnType,
                               LocalTransactionRunner runner, PhaseInvoker confirm, PhaseInvoker cancel) {

    public ActionDefinition {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(hold, "hold");
        Objects.requireNonNull(parameterTypes, "parameterTypes");
        Objects.requireNonNull(parameterNames, "parameterNames");
        Objects.requireNonNull(returnType, "returnType");
        Objects.requireNonNull(runner, "runner");
        Objects.requireNonNull(confirm, "confirm");
        Objects.requireNonNull(cancel, "cancel");
        if (parameterTypes.length != parameterNames.length) {
            throw new IllegalArgumentException("Action '" + name + "' has " + parameterTypes.length + " parameter types but "
                    + parameterNames.length + " names");
        }
    }
}

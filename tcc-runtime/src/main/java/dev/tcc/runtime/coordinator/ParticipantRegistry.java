package dev.tcc.runtime.coordinator;

import dev.tcc.api.TccDefinitionException;
import dev.tcc.spi.BranchParticipant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The participants this instance can route phase-two calls to, by {@link BranchParticipant#id()}. */
public final class ParticipantRegistry {

    private final Map<String, BranchParticipant> participants = new ConcurrentHashMap<>();

    /** Adds a participant; a second one with the same id is a definition error. */
    public void register(BranchParticipant participant) {
        BranchParticipant previous = participants.putIfAbsent(participant.id(), participant);
        if (previous != null && previous != participant) {
            throw new TccDefinitionException("Two TCC actions are named '" + participant.id() + "': " + previous + " and "
                    + participant + ". Action names route confirms and cancels, so each must be unique in the application:"
                    + " rename one with @Try(name = \"...\")");
        }
    }

    /** The participant with {@code id}, or null. */
    public BranchParticipant find(String id) {
        return participants.get(id);
    }
}

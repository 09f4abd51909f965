package dev.tcc.runtime.coordinator;

import dev.tcc.api.TccDefinitionException;
import dev.tcc.spi.BranchParticipant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The participants this instance can route phase-two calls to, by {@link BranchParticipant#id()}. An id no
 * participant was registered under may still name a remote one (a participant endpoint's URL): the factory given at
 * construction makes it, once, so phase two and recovery after a restart reach remote branches.
 */
public final class ParticipantRegistry {

    private final Map<String, BranchParticipant> participants = new ConcurrentHashMap<>();
    private final Function<String, BranchParticipant> remote;

    /** A registry of registered participants only. */
    public ParticipantRegistry() {
        this(id -> null);
    }

    /** @param remote the participant an unregistered id names (e.g. a participant endpoint's URL), or null */
    public ParticipantRegistry(Function<String, BranchParticipant> remote) {
        this.remote = remote;
    }

    /** Adds a participant; a second one with the same id is a definition error. */
    public void register(BranchParticipant participant) {
        BranchParticipant previous = participants.putIfAbsent(participant.id(), participant);
        if (previous != null && previous != participant) {
            throw new TccDefinitionException("Two TCC actions are named '" + participant.id() + "': " + previous + " and "
                    + participant + ". Action names route confirms and cancels, so each must be unique in the application:"
                    + " rename one with @Try(name = \"...\")");
        }
    }

    /** The participant with {@code id}: a registered one, else the remote one it names (kept), else null. */
    public BranchParticipant find(String id) {
        BranchParticipant found = participants.get(id);
        if (found != null) {
            return found;
        }
        BranchParticipant made = remote.apply(id);
        if (made == null) {
            return null;
        }
        BranchParticipant previous = participants.putIfAbsent(id, made);
        return previous != null ? previous : made;
    }

    /** Whether a participant id names a participant endpoint in another service (an http or https URL). */
    public static boolean isRemote(String id) {
        return id.regionMatches(true, 0, "http://", 0, 7) || id.regionMatches(true, 0, "https://", 0, 8);
    }
}

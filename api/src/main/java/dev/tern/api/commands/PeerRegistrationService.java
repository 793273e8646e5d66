package dev.tern.api.commands;

import dev.tern.events.CommandRejected;
import dev.tern.events.commands.PeerRegistration;
import dev.tern.events.commands.RegisterPeer;
import dev.tern.events.meta.Actor;
import dev.tern.events.values.Ids;
import dev.tern.events.values.PeerSystemMeta;
import dev.tern.events.values.Secrets;
import dev.tern.events.values.WireGuardKey;
import dev.tern.query.ReadModel;
import org.springframework.stereotype.Service;

/**
 * Registration as a command: the device gRPC service calls this with the plain setup key a device presented.
 * The key is hashed at once (the plain key goes nowhere else), its account found through the read model, and
 * the account aggregate decides everything else (revoked, expired, usage limit, IP, DNS label, auto-groups).
 */
@Service
public class PeerRegistrationService {
    private final ReadModel readModel;
    private final CommandService commands;

    public PeerRegistrationService(ReadModel readModel, CommandService commands) {
        this.readModel = readModel;
        this.commands = commands;
    }

    /**
     * @throws CommandRejected NOT_FOUND for an unknown setup key, or whatever the account rejects
     *                         (PRECONDITION_FAILED for revoked/expired/overused keys, per command-side)
     */
    public PeerRegistration register(String plainSetupKey, WireGuardKey wgPubKey, PeerSystemMeta meta) {
        return register(plainSetupKey, wgPubKey, meta, null);
    }

    /**
     * For callers holding the key as text (gRPC carries it base64-encoded).
     *
     * @throws dev.tern.events.values.InvalidValueException when the text is not a WireGuard public key
     */
    public PeerRegistration register(String plainSetupKey, String wgPubKeyBase64, PeerSystemMeta meta,
                                     String sourceAddress) {
        return register(plainSetupKey, new WireGuardKey(wgPubKeyBase64), meta, sourceAddress);
    }

    public PeerRegistration register(String plainSetupKey, WireGuardKey wgPubKey, PeerSystemMeta meta,
                                     String sourceAddress) {
        RegisterPeer command = registerPeer(plainSetupKey, wgPubKey, meta);
        return commands.send(command, peerActor(command), sourceAddress);
    }

    /**
     * Like {@link #register(String, WireGuardKey, PeerSystemMeta, String)} but returns as soon as the account
     * has decided, without waiting for the REST read model to show the peer (a device login needs its network
     * map, not the read tables; waiting for them costs the projection's latency on every login).
     */
    public PeerRegistration registerWithoutReadYourWrites(String plainSetupKey, WireGuardKey wgPubKey,
                                                          PeerSystemMeta meta, String sourceAddress) {
        RegisterPeer command = registerPeer(plainSetupKey, wgPubKey, meta);
        return commands.sendWithoutWaitingForReads(command, peerActor(command), sourceAddress);
    }

    private RegisterPeer registerPeer(String plainSetupKey, WireGuardKey wgPubKey, PeerSystemMeta meta) {
        if (plainSetupKey == null || plainSetupKey.isBlank()) {
            throw CommandRejected.invalid("setup key is missing");
        }
        if (wgPubKey == null) {
            throw CommandRejected.invalid("WireGuard key is missing");
        }
        if (meta == null) {
            throw CommandRejected.invalid("peer system meta is missing");
        }
        String keyHash = Secrets.sha256Hex(plainSetupKey.trim());
        String accountId = readModel.findAccountBySetupKeyHash(keyHash)
                .orElseThrow(() -> CommandRejected.notFound("setup key not found"));
        return new RegisterPeer(accountId, Ids.newId(), keyHash, wgPubKey, meta);
    }

    /**
     * The device itself is the actor: it has no user behind it, only its hostname and the id it will have. A known
     * key keeps its old id, but then nothing is appended, so the proposed id never shows up in the audit trail.
     */
    private static Actor peerActor(RegisterPeer command) {
        return new Actor(Actor.Type.PEER, command.proposedPeerId(), command.meta().hostname(), "");
    }
}

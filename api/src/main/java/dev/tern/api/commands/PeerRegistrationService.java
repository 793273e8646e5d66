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
        String proposedPeerId = Ids.newId();
        // The device itself is the actor: it has no user behind it, only its key and hostname.
        Actor actor = new Actor(Actor.Type.PEER, proposedPeerId, meta.hostname(), "");
        return commands.send(new RegisterPeer(accountId, proposedPeerId, keyHash, wgPubKey, meta), actor,
                sourceAddress);
    }
}

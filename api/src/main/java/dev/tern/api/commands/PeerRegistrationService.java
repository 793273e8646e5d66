package dev.tern.api.commands;

import dev.tern.events.CommandRejected;
import dev.tern.events.commands.PeerRegistration;
import dev.tern.events.commands.RegisterPeer;
import dev.tern.events.meta.Actor;
import dev.tern.events.values.Ids;
import dev.tern.events.values.PeerSystemMeta;
import dev.tern.events.values.Secrets;
import dev.tern.events.values.WireGuardKey;
import dev.tern.query.setupkeys.RegistrationReads;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.stereotype.Service;

/**
 * Registration as a command: the device gRPC service calls this with the plain setup key a device presented.
 * The key is hashed at once (the plain key goes nowhere else), its account found through the read model, and
 * the account aggregate decides everything else (revoked, expired, usage limit, IP, DNS label, auto-groups).
 */
@Service
public class PeerRegistrationService implements DeviceLogin.SetupKeys {
    /** Beyond this many remembered keys the cache starts over; a fleet has a handful of setup keys, not thousands. */
    static final int MAX_CACHED_KEYS = 10_000;

    private final RegistrationReads setupKeys;
    private final CommandService commands;
    /**
     * Setup-key hash to account id. A key belongs to one account for good, so a hit never goes wrong: a deleted
     * or revoked key still leads to its account, whose aggregate refuses it. Saves a read-model query per login.
     */
    private final ConcurrentHashMap<String, String> accountByKeyHash = new ConcurrentHashMap<>();

    public PeerRegistrationService(RegistrationReads setupKeys, CommandService commands) {
        this.setupKeys = setupKeys;
        this.commands = commands;
    }

    /** The account a plain setup key belongs to, if any. */
    @Override
    public Optional<String> accountOfSetupKey(String plainSetupKey) {
        if (plainSetupKey == null || plainSetupKey.isBlank()) {
            return Optional.empty();
        }
        return accountOfKeyHash(Secrets.setupKeyHash(plainSetupKey));
    }

    private Optional<String> accountOfKeyHash(String keyHash) {
        String cached = accountByKeyHash.get(keyHash);
        if (cached != null) {
            return Optional.of(cached);
        }
        Optional<String> found = setupKeys.findAccountBySetupKeyHash(keyHash);
        found.ifPresent(accountId -> {
            if (accountByKeyHash.size() >= MAX_CACHED_KEYS) {
                accountByKeyHash.clear();
            }
            accountByKeyHash.put(keyHash, accountId);
        });
        return found;
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
        return logInWithoutReadYourWrites(plainSetupKey, wgPubKey, meta, sourceAddress, null, List.of());
    }

    /**
     * Registration, or for a device the caller knows as {@code knownPeerId} a login with the key (the account
     * renews a lapsed login with a usable key and refuses an unusable one; a login that has not lapsed stays as it
     * is). The known id makes the device the actor of what a login appends.
     */
    @Override
    public PeerRegistration logInWithoutReadYourWrites(String plainSetupKey, WireGuardKey wgPubKey,
                                                       PeerSystemMeta meta, String sourceAddress,
                                                       String knownPeerId, List<String> extraDnsLabels) {
        RegisterPeer command = registerPeer(plainSetupKey, wgPubKey, meta, knownPeerId, extraDnsLabels);
        return commands.sendWithoutWaitingForReads(command, peerActor(command), sourceAddress);
    }

    private RegisterPeer registerPeer(String plainSetupKey, WireGuardKey wgPubKey, PeerSystemMeta meta) {
        return registerPeer(plainSetupKey, wgPubKey, meta, null, List.of());
    }

    private RegisterPeer registerPeer(String plainSetupKey, WireGuardKey wgPubKey, PeerSystemMeta meta,
                                      String knownPeerId, List<String> extraDnsLabels) {
        if (plainSetupKey == null || plainSetupKey.isBlank()) {
            throw CommandRejected.invalid("setup key is missing");
        }
        if (wgPubKey == null) {
            throw CommandRejected.invalid("WireGuard key is missing");
        }
        if (meta == null) {
            throw CommandRejected.invalid("peer system meta is missing");
        }
        String keyHash = Secrets.setupKeyHash(plainSetupKey);
        String accountId = accountOfKeyHash(keyHash)
                .orElseThrow(() -> CommandRejected.notFound("setup key not found"));
        return new RegisterPeer(accountId, knownPeerId == null ? Ids.newId() : knownPeerId, keyHash, wgPubKey, meta,
                extraDnsLabels);
    }

    /**
     * The device itself is the actor: it has no user behind it, only its hostname and the id it has or will have
     * (callers that know the device pass its id, so a renewed login names the peer itself).
     */
    private static Actor peerActor(RegisterPeer command) {
        return new Actor(Actor.Type.PEER, command.proposedPeerId(), command.meta().hostname(), "");
    }
}

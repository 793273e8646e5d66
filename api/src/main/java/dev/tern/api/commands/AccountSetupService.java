package dev.tern.api.commands;

import dev.tern.api.auth.PersonalAccessTokens;
import dev.tern.events.CommandRejected;
import dev.tern.events.commands.CreateAccount;
import dev.tern.events.commands.CreatePersonalAccessToken;
import dev.tern.events.meta.Actor;
import dev.tern.events.values.Cidr;
import dev.tern.events.values.Ids;
import dev.tern.events.values.MeshIp;
import dev.tern.query.users.SetupReads;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Service;

/**
 * The one-time bootstrap behind {@code POST /api/setup}: the first account, its owner and optionally a PAT.
 * Concurrent setups are serialized, in this process by a lock and across the nodes sharing the database by
 * {@link SetupExclusion}; only the first wins, later ones get 412.
 */
@Service
public class AccountSetupService {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Cidr MESH_RANGE = Cidr.parse("100.64.0.0/10");

    private final SetupReads setupReads;
    private final CommandService commands;
    private final String dnsDomain;
    private final int networkPrefix;
    private final Clock clock;
    private final SetupExclusion exclusion;
    private final ReentrantLock lock = new ReentrantLock();
    private volatile boolean done;

    public AccountSetupService(SetupReads setupReads, CommandService commands,
                               @Value("${tern.dns-domain:tern.internal}") String dnsDomain, SetupExclusion exclusion,
                               @Value("${tern.account-network-prefix:16}") String networkPrefix) {
        this.setupReads = setupReads;
        this.commands = commands;
        this.dnsDomain = dnsDomain;
        this.networkPrefix = AccountNetworkSettings.parse(Map.of(AccountNetworkSettings.PREFIX, networkPrefix))
                .prefixLength();
        this.clock = Clock.systemUTC();
        this.exclusion = exclusion;
    }

    public record SetupResult(String accountId, String userId, String email, String plainToken) {
        @Override
        public String toString() {
            return "SetupResult[accountId=" + accountId + ", userId=" + userId + "]";
        }
    }

    public boolean setupRequired() {
        return !done && setupReads.setupRequired();
    }

    /** @param patExpireInDays null: no token; else the token's lifetime in days */
    public SetupResult setup(String email, String name, Integer patExpireInDays, String sourceAddress) {
        lock.lock();
        try {
            if (!setupRequired()) {
                throw CommandRejected.preconditionFailed("setup already completed: an owner exists; "
                        + "authenticate with a personal access token instead");
            }
            return exclusion.exclusively(() -> createOwner(email, name, patExpireInDays, sourceAddress));
        } finally {
            lock.unlock();
        }
    }

    private SetupResult createOwner(String email, String name, Integer patExpireInDays, String sourceAddress) {
        String accountId = Ids.newId();
        String userId = Ids.newId();
        Actor actor = new Actor(Actor.Type.USER, userId, name, email);
        commands.send(new CreateAccount(accountId, randomMeshNetwork(networkPrefix), dnsDomain, userId, email, name,
                Ids.newId()), actor, sourceAddress);
        done = true;
        String plainToken = null;
        if (patExpireInDays != null) {
            PersonalAccessTokens.Minted minted = PersonalAccessTokens.mint();
            Instant expiresAt = clock.instant().plus(Duration.ofDays(patExpireInDays));
            commands.send(new CreatePersonalAccessToken(accountId, Ids.newId(), userId, "setup", minted.hash(),
                    expiresAt, userId), actor, sourceAddress);
            plainToken = minted.plainToken();
        }
        return new SetupResult(accountId, userId, email, plainToken);
    }

    /**
     * A random network of this prefix length inside 100.64.0.0/10; for a /16 (second octet 64..127) as NetBird
     * allocates account networks.
     */
    static Cidr randomMeshNetwork(int prefixLength) {
        int choices = 1 << (prefixLength - MESH_RANGE.prefixLength());
        int bits = MESH_RANGE.networkBits() + (RANDOM.nextInt(choices) << (32 - prefixLength));
        return new Cidr(MeshIp.of(bits).address(), prefixLength);
    }
}

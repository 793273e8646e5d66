package dev.tern.api.signin;

import com.nimbusds.jwt.JWTParser;
import dev.tern.api.auth.Caller;
import dev.tern.api.commands.CommandService;
import dev.tern.api.commands.DeviceLogin;
import dev.tern.events.commands.PeerRegistration;
import dev.tern.events.commands.RegisterUserPeer;
import dev.tern.events.meta.Actor;
import dev.tern.events.values.Ids;
import dev.tern.events.values.PeerSystemMeta;
import dev.tern.events.values.WireGuardKey;
import java.text.ParseException;
import java.time.Clock;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * gRPC Login with a user's JWT (NetBird's SSO login): the token is verified and its user signed in exactly as REST's
 * Bearer ({@link JwtAuthenticator}: provisioning, blocked users, allowed groups, group sync), then claimed, so that
 * each token logs a device in once until it expires, as NetBird's server does. The device is the user's: the user is
 * the actor of what its login appends.
 */
@Component
public class JwtDeviceLogins implements DeviceLogin.UserDevices {
    private final JwtAuthenticator authenticator;
    private final CommandService commands;
    private final UsedTokens used;

    @Autowired
    JwtDeviceLogins(JwtAuthenticator authenticator, CommandService commands) {
        this(authenticator, commands, new UsedTokens(UsedTokens.CAPACITY, Clock.systemUTC()));
    }

    JwtDeviceLogins(JwtAuthenticator authenticator, CommandService commands, UsedTokens used) {
        this.authenticator = authenticator;
        this.commands = commands;
        this.used = used;
    }

    @Override
    public DeviceLogin.JwtSignIn signIn(String jwt, String sourceAddress) {
        JwtAuthenticator.Outcome outcome = authenticator.authenticate(jwt, sourceAddress);
        Caller caller = outcome.caller();
        if (caller == null) {
            return outcome.status() == 403 ? new DeviceLogin.JwtUserRefused(outcome.failure())
                    : new DeviceLogin.InvalidJwt(outcome.failure());
        }
        if (!used.firstUse(jwt, expiryOf(jwt))) {
            return new DeviceLogin.JwtReused();
        }
        return new DeviceLogin.SignedIn(caller.accountId(), caller.userId(),
                new Actor(Actor.Type.USER, caller.userId(), caller.name(), caller.email()));
    }

    @Override
    public void release(String jwt) {
        used.forget(jwt);
    }

    @Override
    public PeerRegistration logInAsUser(DeviceLogin.SignedIn user, WireGuardKey wgPubKey, PeerSystemMeta meta,
                                        String sourceAddress, String knownPeerId, List<String> extraDnsLabels) {
        RegisterUserPeer command = new RegisterUserPeer(user.accountId(), knownPeerId == null ? Ids.newId()
                : knownPeerId, user.userId(), wgPubKey, meta, extraDnsLabels);
        // the device needs its network map, not the REST read tables (as a setup-key login)
        return commands.sendWithoutWaitingForReads(command, user.actor(), sourceAddress);
    }

    /** The verified token's {@code exp} (verification refuses a token without one). */
    private static Instant expiryOf(String jwt) {
        try {
            Date exp = JWTParser.parse(jwt).getJWTClaimsSet().getExpirationTime();
            return exp.toInstant();
        } catch (ParseException e) {
            throw new IllegalStateException("a verified token parses", e);
        }
    }
}

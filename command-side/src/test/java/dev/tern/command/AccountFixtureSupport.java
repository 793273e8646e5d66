package dev.tern.command;

import dev.tern.events.AccountCreated;
import dev.tern.events.CommandRejected;
import dev.tern.events.GroupCreated;
import dev.tern.events.PeerAddedToGroup;
import dev.tern.events.PeerRegistered;
import dev.tern.events.SetupKeyCreated;
import dev.tern.events.UserCreated;
import dev.tern.events.values.Cidr;
import dev.tern.events.values.GroupIssuer;
import dev.tern.events.values.MeshIp;
import dev.tern.events.values.PeerSystemMeta;
import dev.tern.events.values.SetupKeyType;
import dev.tern.events.values.UserRole;
import dev.tern.events.values.WireGuardKey;
import org.axonframework.test.aggregate.AggregateTestFixture;
import org.axonframework.test.aggregate.FixtureConfiguration;
import org.hamcrest.Description;
import org.hamcrest.Matcher;
import org.hamcrest.TypeSafeMatcher;
import org.junit.jupiter.api.BeforeEach;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** A fixture with the production target resolver, a pinned clock and the events of a fresh account. */
abstract class AccountFixtureSupport {
    static final String ACC = "acc-1";
    static final Cidr NETWORK = Cidr.parse("100.64.0.0/16");
    static final String DOMAIN = "tern.internal";
    static final String OWNER = "user-owner";
    static final String OWNER_EMAIL = "owner@example.com";
    static final String ALL = "group-all";
    static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");

    FixtureConfiguration<Account> fixture;

    @BeforeEach
    void createFixture() {
        fixture = new AggregateTestFixture<>(Account.class);
        fixture.registerCommandTargetResolver(new AccountCommandTargetResolver());
    }

    static List<Object> accountEvents() {
        List<Object> events = new ArrayList<>();
        events.add(new AccountCreated(ACC, NETWORK, DOMAIN, NOW));
        events.add(new GroupCreated(ACC, ALL, "All", GroupIssuer.API));
        events.add(new UserCreated(ACC, OWNER, OWNER_EMAIL, "Owner", UserRole.OWNER, false, List.of(), NOW));
        return events;
    }

    /** Account events followed by the given ones. */
    static List<Object> account(Object... more) {
        List<Object> events = accountEvents();
        events.addAll(List.of(more));
        return events;
    }

    static GroupCreated group(String id, String name) {
        return new GroupCreated(ACC, id, name, GroupIssuer.API);
    }

    static UserCreated user(String id, UserRole role) {
        return new UserCreated(ACC, id, id + "@example.com", id, role, false, List.of(), NOW);
    }

    static UserCreated serviceUser(String id, UserRole role) {
        return new UserCreated(ACC, id, "", id, role, true, List.of(), NOW);
    }

    static SetupKeyCreated reusableKey(String id, int usageLimit, Instant expiresAt, String... autoGroups) {
        return new SetupKeyCreated(ACC, id, "key " + id, SetupKeyType.REUSABLE, hash(id), "ABCD", expiresAt,
                usageLimit, List.of(autoGroups), false, false, NOW);
    }

    static String hash(String keyId) {
        return "hash-of-" + keyId;
    }

    static WireGuardKey wgKey(int n) {
        byte[] raw = new byte[32];
        raw[0] = (byte) n;
        raw[1] = (byte) (n >>> 8);
        raw[2] = (byte) (n >>> 16);
        raw[31] = 7;
        return WireGuardKey.of(raw);
    }

    static PeerRegistered peer(String id, int key, String ip, String label, String keyId) {
        return new PeerRegistered(ACC, id, wgKey(key), new MeshIp(ip), label, label,
                PeerSystemMeta.ofHostname(label), keyId, null, false, false, NOW);
    }

    static PeerAddedToGroup member(String groupId, String peerId) {
        return new PeerAddedToGroup(ACC, groupId, peerId);
    }

    static Matcher<Object> rejected(CommandRejected.Reason reason, String messagePart) {
        return new TypeSafeMatcher<>() {
            @Override
            protected boolean matchesSafely(Object item) {
                return item instanceof CommandRejected r && r.reason() == reason
                        && r.getMessage() != null && r.getMessage().contains(messagePart);
            }

            @Override
            public void describeTo(Description description) {
                description.appendText("CommandRejected " + reason + " with message containing '" + messagePart + "'");
            }

            @Override
            protected void describeMismatchSafely(Object item, Description description) {
                description.appendText("was " + item + (item instanceof CommandRejected r ? " (" + r.reason() + ")" : ""));
            }
        };
    }
}

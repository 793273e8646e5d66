package dev.tern.api.web;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.tern.api.auth.Caller;
import dev.tern.events.values.JwtGroupSettings;
import dev.tern.events.values.PolicyRule;
import dev.tern.events.values.PortRange;
import dev.tern.query.audit.AuditEntry;
import dev.tern.query.groups.GroupView;
import dev.tern.query.groups.PolicyView;
import dev.tern.query.peers.PeerView;
import dev.tern.query.setupkeys.SetupKeyView;
import dev.tern.query.users.AccountView;
import dev.tern.query.users.TokenView;
import dev.tern.query.users.UserView;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Response bodies in the shapes of NetBird's openapi.yml (snake_case names, required fields always present),
 * and the mapping from read-model views to them.
 */
final class Json {
    private Json() {
    }

    static final Map<String, Object> EMPTY = Map.of();

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record User(String id, String email, String name, String role, String status, String lastLogin,
                List<String> autoGroups, boolean isCurrent, boolean isServiceUser, boolean isBlocked,
                boolean pendingApproval, String issued) {
        static User of(UserView u, Caller caller) {
            return new User(u.id(), u.email(), u.name(), u.role().wireName(), u.blocked() ? "blocked" : "active",
                    Times.iso(u.lastLogin()), u.autoGroups() == null ? List.of() : u.autoGroups(), caller.is(u.id()), u.serviceUser(), u.blocked(), false,
                    "api");
        }
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Token(String id, String name, String expirationDate, String createdBy, String createdAt, String lastUsed) {
        static Token of(TokenView t) {
            return new Token(t.id(), t.name(), Times.iso(t.expiresAt()), t.createdBy(), Times.iso(t.createdAt()),
                    Times.iso(t.lastUsed()));
        }
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record TokenGenerated(String plainToken, Token personalAccessToken) {
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record SetupKey(String id, String key, String name, String expires, String type, boolean valid, boolean revoked,
                    int usedTimes, String lastUsed, String state, List<String> autoGroups, String updatedAt,
                    int usageLimit, boolean ephemeral, boolean allowExtraDnsLabels) {
        /** NetBird shows a stored key as its first five characters and four stars. */
        static SetupKey masked(SetupKeyView k, Instant now) {
            return of(k, k.keyPrefix() + "****", now);
        }

        static SetupKey of(SetupKeyView k, String key, Instant now) {
            String state = k.state(now);
            return new SetupKey(k.id(), key, k.name(), Times.iso(k.expiresAt()), k.type().wireName(),
                    state.equals("valid"), k.revoked(), k.usedTimes(), Times.iso(k.lastUsed()), state, k.autoGroups(),
                    Times.iso(k.updatedAt()), k.usageLimit(), k.ephemeral(), k.allowExtraDnsLabels());
        }
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record PeerMinimum(String id, String name) {
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record GroupMinimum(String id, String name, int peersCount, int resourcesCount, String issued) {
        static GroupMinimum of(GroupView g) {
            return new GroupMinimum(g.id(), g.name(), g.peers().size(), 0, issuedOf(g));
        }

        /**
         * Resolves the group ids of policy rules. A group deleted out from under a policy cannot happen (the
         * aggregate refuses), but a read never fails on it: an unknown id answers with the id alone.
         */
        static java.util.function.Function<String, GroupMinimum> lookup(java.util.Collection<GroupView> groups) {
            java.util.Map<String, GroupView> byId = new java.util.HashMap<>();
            groups.forEach(g -> byId.putIfAbsent(g.id(), g));
            return id -> byId.containsKey(id) ? of(byId.get(id)) : new GroupMinimum(id, "", 0, 0, null);
        }
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record Group(String id, String name, int peersCount, int resourcesCount, String issued, List<PeerMinimum> peers,
                 List<Object> resources) {
        static Group of(GroupView g) {
            return of(g, List.of());
        }

        /** With the network resources the group holds (NetBird's Resource: id and type). */
        static Group of(GroupView g, List<dev.tern.events.values.ResourceRef> resources) {
            return new Group(g.id(), g.name(), g.peers().size(), resources.size(), issuedOf(g),
                    g.peers().stream().map(p -> new PeerMinimum(p.id(), p.name())).toList(), List.copyOf(resources));
        }
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record PortRangeJson(int start, int end) {
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    record Rule(@JsonInclude(JsonInclude.Include.ALWAYS) String id,
                @JsonInclude(JsonInclude.Include.ALWAYS) String name,
                @JsonInclude(JsonInclude.Include.ALWAYS) String description,
                @JsonInclude(JsonInclude.Include.ALWAYS) boolean enabled,
                @JsonInclude(JsonInclude.Include.ALWAYS) String action,
                @JsonInclude(JsonInclude.Include.ALWAYS) boolean bidirectional,
                @JsonInclude(JsonInclude.Include.ALWAYS) String protocol,
                List<String> ports, List<PortRangeJson> portRanges,
                @JsonInclude(JsonInclude.Include.ALWAYS) List<GroupMinimum> sources,
                @JsonInclude(JsonInclude.Include.ALWAYS) List<GroupMinimum> destinations,
                @com.fasterxml.jackson.annotation.JsonProperty("destinationResource")
                dev.tern.events.values.ResourceRef destinationResource) {
        static Rule of(PolicyRule r, Function<String, GroupMinimum> groups) {
            return new Rule(r.id(), r.name(), r.description(), r.enabled(), r.action().wireName(), r.bidirectional(),
                    r.protocol().wireName(), r.ports().stream().map(PortRange::toString).toList(),
                    r.portRanges().stream().map(p -> new PortRangeJson(p.start(), p.end())).toList(),
                    r.sources().stream().map(groups).toList(), r.destinations().stream().map(groups).toList(),
                    r.destinationResource());
        }
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record Policy(String id, String name, String description, boolean enabled, List<String> sourcePostureChecks,
                  List<Rule> rules) {
        static Policy of(PolicyView p, Function<String, GroupMinimum> groups) {
            var d = p.definition();
            return new Policy(p.id(), d.name(), d.description(), d.enabled(), d.sourcePostureChecks(),
                    d.rules().stream().map(r -> Rule.of(r, groups)).toList());
        }
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record Peer(String id, String name, String createdAt, String ip, String connectionIp, boolean connected,
                String lastSeen, String os, String kernelVersion, int geonameId, String version,
                List<GroupMinimum> groups, boolean sshEnabled, String userId, String hostname, String uiVersion,
                String dnsLabel, boolean loginExpirationEnabled, boolean loginExpired, String lastLogin,
                boolean inactivityExpirationEnabled, boolean approvalRequired, String countryCode, String cityName,
                String serialNumber, List<String> extraDnsLabels, boolean ephemeral,
                @JsonInclude(JsonInclude.Include.NON_NULL) Integer accessiblePeersCount) {
        /** NetBird's Peer (single peer answers). */
        static Peer of(PeerView p, String dnsDomain) {
            return of(p, dnsDomain, null);
        }

        /** NetBird's PeerBatch (the list answer): a Peer plus its accessible_peers_count. */
        static Peer of(PeerView p, String dnsDomain, Integer accessiblePeersCount) {
            var m = p.meta();
            return new Peer(p.id(), p.name(), Times.iso(p.createdAt()), p.ip(), nz(p.connectionIp()), p.connected(),
                    Times.iso(p.lastSeen()), osOf(p), m == null ? "" : m.kernelVersion(), 0,
                    m == null ? "" : m.agentVersion(),
                    p.groups().stream().map(g -> new GroupMinimum(g.id(), g.name(), g.peersCount(), 0, null)).toList(),
                    p.sshEnabled(), nz(p.userId()), m == null ? "" : m.hostname(), m == null ? "" : m.uiVersion(),
                    fqdn(p.dnsLabel(), dnsDomain), p.loginExpirationEnabled(), p.loginExpired(),
                    Times.iso(p.lastLogin()),
                    p.inactivityExpirationEnabled(), false, "", "", m == null ? "" : m.systemSerialNumber(),
                    p.extraDnsLabels().stream().map(label -> fqdn(label, dnsDomain)).toList(),
                    p.ephemeral(), accessiblePeersCount);
        }
    }

    /**
     * NetBird's Account. Settings Tern does not support are answered with the only values it accepts in a PUT
     * (see {@link AccountsController}); {@code dns_domain} and {@code network_range} are the account's own.
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record Account(String id, Settings settings, String domain, String domainCategory, String createdAt,
                   String createdBy, Onboarding onboarding) {
        /** Tern has no sign-up form nor onboarding flow: nothing is ever pending. */
        static final Onboarding NOTHING_PENDING = new Onboarding(false, false);

        /** {@code domain} is the owner's e-mail domain, as NetBird derives an account's domain from its creator. */
        static Account of(AccountView a, String ownerId, String ownerEmail, JwtGroupSettings jwt) {
            var s = a.settings();
            int at = ownerEmail == null ? -1 : ownerEmail.lastIndexOf('@');
            return new Account(a.id(), new Settings(s.peerLoginExpirationEnabled(), s.peerLoginExpirationSeconds(),
                    s.peerInactivityExpirationEnabled(), s.peerInactivityExpirationSeconds(), false, false, List.of(),
                    a.dnsDomain(), a.network(), jwt.enabled(), jwt.claimName(), jwt.allowGroups()),
                    at < 0 ? "" : ownerEmail.substring(at + 1), "private",
                    Times.iso(a.createdAt()), nz(ownerId), NOTHING_PENDING);
        }

        @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
        record Settings(boolean peerLoginExpirationEnabled, long peerLoginExpiration,
                        boolean peerInactivityExpirationEnabled, long peerInactivityExpiration,
                        boolean regularUsersViewBlocked, boolean peerExposeEnabled, List<String> peerExposeGroups,
                        String dnsDomain, String networkRange, boolean jwtGroupsEnabled, String jwtGroupsClaimName,
                        List<String> jwtAllowGroups) {
        }

        @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
        record Onboarding(boolean signupFormPending, boolean onboardingFlowPending) {
        }
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record AccessiblePeer(String id, String name, String ip, String dnsLabel, String userId, String os,
                          String countryCode, String cityName, int geonameId, boolean connected, String lastSeen) {
        static AccessiblePeer of(PeerView p, String dnsDomain) {
            return new AccessiblePeer(p.id(), p.name(), p.ip(), fqdn(p.dnsLabel(), dnsDomain), nz(p.userId()), osOf(p),
                    "", "", 0, p.connected(), Times.iso(p.lastSeen()));
        }
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record Event(String id, String timestamp, String activity, String activityCode, String initiatorId,
                 String initiatorName, String initiatorEmail, String targetId, Map<String, String> meta) {
        static Event of(AuditEntry e) {
            return new Event(e.id(), Times.iso(e.timestamp()), nz(e.activity()), nz(e.activityCode()),
                    nz(e.initiatorId()), nz(e.initiatorName()), nz(e.initiatorEmail()), nz(e.targetId()),
                    e.meta() == null ? Map.of() : e.meta());
        }
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record SetupResponse(String userId, String email, String personalAccessToken) {
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record InstanceStatus(boolean setupRequired) {
    }

    static String issuedOf(GroupView g) {
        return g.issued() == null ? "api" : g.issued().wireName();
    }

    static String osOf(PeerView p) {
        if (p.meta() == null) {
            return "";
        }
        String os = p.meta().os();
        String version = p.meta().osVersion();
        return version.isEmpty() ? os : os + " " + version;
    }

    static String fqdn(String label, String dnsDomain) {
        if (label == null || label.isEmpty()) {
            return "";
        }
        return dnsDomain == null || dnsDomain.isEmpty() ? label : label + "." + dnsDomain;
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }

}

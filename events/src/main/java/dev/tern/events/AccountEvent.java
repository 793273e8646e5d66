package dev.tern.events;

/**
 * Every fact Tern records belongs to exactly one account: the account is the consistency boundary and the
 * aggregate that decides. Events are forever: a changed shape needs an upcaster, never an edit here.
 *
 * <p>Sealed, so the list below is every kind of fact there is. A new event is added here, and then every in-memory
 * fold must say what it does with it: {@link AccountEventDispatch} refuses a fold's table that leaves a permitted
 * type out, and the aggregate's event sourcing handlers are checked against this list by a test of command-side.
 */
public sealed interface AccountEvent permits AccountCreated, AccountSettingsUpdated,
        UserCreated, UserRoleChanged, UserBlocked, UserUnblocked, UserAutoGroupsChanged, UserDeleted,
        PersonalAccessTokenCreated, PersonalAccessTokenDeleted,
        SetupKeyCreated, SetupKeyRevoked, SetupKeyAutoGroupsChanged, SetupKeyDeleted,
        GroupCreated, GroupRenamed, PeerAddedToGroup, PeerRemovedFromGroup, GroupDeleted,
        PolicyCreated, PolicyUpdated, PolicyDeleted,
        PeerRegistered, PeerRenamed, PeerSshChanged, PeerLoginExpirationChanged, PeerInactivityExpirationChanged,
        PeerLoginExpired, PeerLoginExpiryLifted, PeerLoginRenewed, PeerDeleted,
        DnsSettingsUpdated, NameServerGroupCreated, NameServerGroupUpdated, NameServerGroupDeleted,
        DnsZoneCreated, DnsZoneUpdated, DnsZoneDeleted, DnsRecordCreated, DnsRecordUpdated, DnsRecordDeleted,
        RouteCreated, RouteUpdated, RouteDeleted,
        NetworkCreated, NetworkUpdated, NetworkDeleted, NetworkResourceCreated, NetworkResourceUpdated,
        NetworkResourceDeleted, NetworkRouterCreated, NetworkRouterUpdated, NetworkRouterDeleted,
        PeerExtraDnsLabelsSet,
        UserSignedIn, UserSignInFailed, UserInviteCreated, UserInviteRegenerated, UserInviteDeleted, UserInviteAccepted,
        UserPasswordChanged,
        IdentityProviderCreated, IdentityProviderUpdated, IdentityProviderDeleted, JwtGroupSettingsUpdated,
        AccountNetworkRangeChanged {
    String accountId();
}

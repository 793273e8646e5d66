package dev.tern.query.audit;

/** The NetBird activities Tern records: code as in openapi.yml's Event.activity_code, text as NetBird shows it. */
enum Activity {
    ACCOUNT_CREATED("account.create", "Account created"),
    ACCOUNT_PEER_LOGIN_EXPIRATION_ENABLED("account.setting.peer.login.expiration.enable",
            "Account peer login expiration enabled"),
    ACCOUNT_PEER_LOGIN_EXPIRATION_DISABLED("account.setting.peer.login.expiration.disable",
            "Account peer login expiration disabled"),
    ACCOUNT_PEER_LOGIN_EXPIRATION_UPDATED("account.setting.peer.login.expiration.update",
            "Account peer login expiration duration updated"),
    ACCOUNT_PEER_INACTIVITY_EXPIRATION_ENABLED("account.peer.inactivity.expiration.enable",
            "Account peer inactivity expiration enabled"),
    ACCOUNT_PEER_INACTIVITY_EXPIRATION_DISABLED("account.peer.inactivity.expiration.disable",
            "Account peer inactivity expiration disabled"),
    ACCOUNT_PEER_INACTIVITY_EXPIRATION_UPDATED("account.peer.inactivity.expiration.update",
            "Account peer inactivity expiration duration updated"),
    USER_CREATED("user.create", "User created"),
    SERVICE_USER_CREATED("service.user.create", "Service user created"),
    USER_ROLE_UPDATED("user.role.update", "User role updated"),
    USER_BLOCKED("user.block", "User blocked"),
    USER_UNBLOCKED("user.unblock", "User unblocked"),
    GROUP_ADDED_TO_USER("user.group.add", "Group added to user"),
    GROUP_REMOVED_FROM_USER("user.group.delete", "Group removed from user"),
    USER_DELETED("user.delete", "User deleted"),
    SERVICE_USER_DELETED("service.user.delete", "Service user deleted"),
    PERSONAL_ACCESS_TOKEN_CREATED("personal.access.token.create", "Personal access token created"),
    PERSONAL_ACCESS_TOKEN_DELETED("personal.access.token.delete", "Personal access token deleted"),
    SETUP_KEY_CREATED("setupkey.add", "Setup key created"),
    SETUP_KEY_REVOKED("setupkey.revoke", "Setup key revoked"),
    GROUP_ADDED_TO_SETUP_KEY("setupkey.group.add", "Group added to setup key"),
    GROUP_REMOVED_FROM_SETUP_KEY("setupkey.group.delete", "Group removed from setup key"),
    SETUP_KEY_DELETED("setupkey.delete", "Setup key deleted"),
    GROUP_CREATED("group.add", "Group created"),
    GROUP_UPDATED("group.update", "Group updated"),
    GROUP_DELETED("group.delete", "Group deleted"),
    GROUP_ADDED_TO_PEER("peer.group.add", "Group added to peer"),
    GROUP_REMOVED_FROM_PEER("peer.group.delete", "Group removed from peer"),
    POLICY_ADDED("policy.add", "Policy added"),
    POLICY_UPDATED("policy.update", "Policy updated"),
    POLICY_DELETED("policy.delete", "Policy deleted"),
    PEER_ADDED_WITH_SETUP_KEY("peer.setupkey.add", "Peer added"),
    PEER_ADDED_BY_USER("peer.user.add", "Peer added"),
    PEER_RENAMED("peer.rename", "Peer renamed"),
    PEER_SSH_ENABLED("peer.ssh.enable", "Peer SSH server enabled"),
    PEER_SSH_DISABLED("peer.ssh.disable", "Peer SSH server disabled"),
    PEER_LOGIN_EXPIRATION_ENABLED("peer.login.expiration.enable", "Peer login expiration enabled"),
    PEER_LOGIN_EXPIRATION_DISABLED("peer.login.expiration.disable", "Peer login expiration disabled"),
    PEER_INACTIVITY_EXPIRATION_ENABLED("peer.inactivity.expiration.enable", "Peer inactivity expiration enabled"),
    PEER_INACTIVITY_EXPIRATION_DISABLED("peer.inactivity.expiration.disable", "Peer inactivity expiration disabled"),
    PEER_LOGIN_EXPIRED("peer.login.expire", "Peer login expired"),
    PEER_LOGGED_IN("user.peer.login", "User logged in peer"),
    PEER_DELETED("user.peer.delete", "Peer deleted"),
    ROUTE_CREATED("route.add", "Route created"),
    ROUTE_UPDATED("route.update", "Route updated"),
    ROUTE_REMOVED("route.delete", "Route deleted"),
    NETWORK_CREATED("network.create", "Network created"),
    NETWORK_UPDATED("network.update", "Network updated"),
    NETWORK_DELETED("network.delete", "Network deleted"),
    NETWORK_RESOURCE_CREATED("network.resource.create", "Network resource created"),
    NETWORK_RESOURCE_UPDATED("network.resource.update", "Network resource updated"),
    NETWORK_RESOURCE_DELETED("network.resource.delete", "Network resource deleted"),
    NETWORK_ROUTER_CREATED("network.router.create", "Network router created"),
    NETWORK_ROUTER_UPDATED("network.router.update", "Network router updated"),
    NETWORK_ROUTER_DELETED("network.router.delete", "Network router deleted");

    final String code;
    final String text;

    Activity(String code, String text) {
        this.code = code;
        this.text = text;
    }
}

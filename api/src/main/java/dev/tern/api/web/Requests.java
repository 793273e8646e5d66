package dev.tern.api.web;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;

/**
 * Request bodies as NetBird's openapi.yml defines them (read by {@link JsonBodies} with snake_case names).
 * Every field is boxed so that a missing required field is told apart from a zero or false.
 */
final class Requests {
    private Requests() {
    }

    record Setup(String email, String password, String name, Boolean createPat, Integer patExpireIn) {
        /** Never let the password reach a log line, even by accident. */
        @Override
        public String toString() {
            return "Setup[email=" + email + ", name=" + name + ", createPat=" + createPat + "]";
        }
    }

    record UserCreate(String email, String name, String role, List<String> autoGroups, Boolean isServiceUser) {
    }

    record UserUpdate(String role, List<String> autoGroups, Boolean isBlocked) {
    }

    record TokenCreate(String name, Integer expiresIn) {
    }

    record SetupKeyCreate(String name, String type, Integer expiresIn, List<String> autoGroups, Integer usageLimit,
                          Boolean ephemeral, Boolean allowExtraDnsLabels) {
    }

    record SetupKeyUpdate(Boolean revoked, List<String> autoGroups) {
    }

    record GroupWrite(String name, List<String> peers, List<JsonNode> resources) {
    }

    record PortRangeWrite(Integer start, Integer end) {
    }

    record RuleWrite(String id, String name, String description, Boolean enabled, String action, Boolean bidirectional,
                     String protocol, List<String> ports, List<PortRangeWrite> portRanges, List<String> sources,
                     List<String> destinations, @JsonProperty("sourceResource") JsonNode sourceResource,
                     @JsonProperty("destinationResource") JsonNode destinationResource,
                     Map<String, List<String>> authorizedGroups) {
    }

    record PolicyWrite(String name, String description, Boolean enabled, List<String> sourcePostureChecks,
                       List<RuleWrite> rules) {
    }

    /** NetBird's AccountRequest; {@code onboarding} is ignored (Tern has none). */
    record AccountUpdate(AccountSettingsWrite settings) {
    }

    /**
     * NetBird's AccountSettings as sent in a PUT: the four expiration settings Tern enforces, and the settings it
     * answers with fixed values and refuses to change. Any other setting is ignored like an unknown field.
     */
    record AccountSettingsWrite(Boolean peerLoginExpirationEnabled, Long peerLoginExpiration,
                                Boolean peerInactivityExpirationEnabled, Long peerInactivityExpiration,
                                Boolean regularUsersViewBlocked, Boolean peerExposeEnabled,
                                List<String> peerExposeGroups, String dnsDomain, String networkRange,
                                Boolean jwtGroupsEnabled, String jwtGroupsClaimName, List<String> jwtAllowGroups) {
    }

    record PeerUpdate(String name, Boolean sshEnabled, Boolean loginExpirationEnabled,
                      Boolean inactivityExpirationEnabled, Boolean approvalRequired, String ip) {
    }
}

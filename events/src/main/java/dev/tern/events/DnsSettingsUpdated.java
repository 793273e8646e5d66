package dev.tern.events;

import java.util.List;

/** The account's DNS settings changed: the groups whose peers' DNS Tern does not manage. */
public record DnsSettingsUpdated(String accountId, List<String> disabledManagementGroupsBefore,
                                 List<String> disabledManagementGroups) implements AccountEvent {
    public DnsSettingsUpdated {
        disabledManagementGroupsBefore = disabledManagementGroupsBefore == null ? List.of()
                : List.copyOf(disabledManagementGroupsBefore);
        disabledManagementGroups = disabledManagementGroups == null ? List.of() : List.copyOf(disabledManagementGroups);
    }
}

package dev.tern.api.commands;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tern.api.config.InvalidSettingException;
import dev.tern.api.config.TernSettings;
import dev.tern.events.values.Cidr;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** TERN_ACCOUNT_NETWORK_PREFIX: NetBird's /16 by default, down to a /30, refused in one line otherwise. */
class AccountNetworkSettingsTest {
    private static final Cidr MESH_RANGE = Cidr.parse("100.64.0.0/10");

    @Test
    void aSlash16UnlessToldOtherwise() {
        assertThat(AccountNetworkSettings.parse(Map.of()).prefixLength()).isEqualTo(16);
        assertThat(AccountNetworkSettings.parse(Map.of(AccountNetworkSettings.PREFIX, "29")).prefixLength())
                .isEqualTo(29);
        assertThat(AccountNetworkSettings.parse(Map.of(AccountNetworkSettings.PREFIX, "/30")).prefixLength())
                .isEqualTo(30);
    }

    @Test
    void ternServerKnowsTheVariableAndRefusesBadValuesInOneLine() {
        assertThat(TernSettings.KNOWN_VARIABLES).containsAll(AccountNetworkSettings.VARIABLES);
        for (String bad : List.of("15", "31", "8", "0", "-16", "big")) {
            Map<String, String> env = Map.of(AccountNetworkSettings.PREFIX, bad);
            assertThatThrownBy(() -> TernSettings.from(env, name -> null)).as(bad)
                    .isInstanceOf(InvalidSettingException.class)
                    .hasMessageContaining(AccountNetworkSettings.PREFIX)
                    .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
        }
    }

    @Test
    void newAccountNetworksAreRandomNetworksOfThatSizeInsideTheCgnatRange() {
        Set<Cidr> seen = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            Cidr slash16 = AccountSetupService.randomMeshNetwork(16);
            assertThat(slash16.prefixLength()).isEqualTo(16);
            assertThat(MESH_RANGE.contains(slash16)).as("%s", slash16).isTrue();
            Cidr slash29 = AccountSetupService.randomMeshNetwork(29);
            assertThat(slash29.prefixLength()).isEqualTo(29);
            assertThat(MESH_RANGE.contains(slash29)).as("%s", slash29).isTrue();
            seen.add(slash29);
        }
        assertThat(seen).as("random, not one fixed network").hasSizeGreaterThan(100);
    }
}

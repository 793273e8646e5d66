package dev.tern.api.history;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tern.api.config.InvalidSettingException;
import dev.tern.api.config.TernSettings;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** TERN_AS_OF_CHECKPOINT_EVERY and TERN_AS_OF_CHECKPOINTS_KEPT: defaults, values, and a clear refusal at start-up. */
class AsOfCheckpointSettingsTest {
    @Test
    void defaultsAndValuesFromTheEnvironmentOrProperties() {
        assertThat(AsOfCheckpointSettings.from(Map.of(), name -> null))
                .isEqualTo(new AsOfCheckpointSettings(AsOfCheckpointSettings.DEFAULT_EVERY,
                        AsOfCheckpointSettings.DEFAULT_KEPT));
        assertThat(AsOfCheckpointSettings.from(Map.of(AsOfCheckpointSettings.EVERY, "200",
                AsOfCheckpointSettings.KEPT, "3"), name -> null)).isEqualTo(new AsOfCheckpointSettings(200, 3));
        assertThat(AsOfCheckpointSettings.from(Map.of(AsOfCheckpointSettings.EVERY, "200"),
                name -> name.equals("tern.as-of-checkpoint-every") ? "900" : null).every()).isEqualTo(900);
    }

    @Test
    void ternServerKnowsTheVariablesAndRefusesBadValuesInOneLine() {
        assertThat(TernSettings.KNOWN_VARIABLES).containsAll(AsOfCheckpointSettings.VARIABLES);
        for (Map<String, String> bad : java.util.List.of(Map.of(AsOfCheckpointSettings.EVERY, "0"),
                Map.of(AsOfCheckpointSettings.EVERY, "often"), Map.of(AsOfCheckpointSettings.KEPT, "1001"),
                Map.of(AsOfCheckpointSettings.KEPT, "-1"))) {
            String variable = bad.keySet().iterator().next();
            assertThatThrownBy(() -> TernSettings.from(bad, name -> null)).isInstanceOf(InvalidSettingException.class)
                    .hasMessageContaining(variable).satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
            assertThatThrownBy(() -> AsOfCheckpointSettings.from(bad, name -> null))
                    .isInstanceOf(InvalidSettingException.class).hasMessageContaining(variable);
        }
    }
}

package dev.tern.api.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tern.api.config.InvalidSettingException;
import dev.tern.api.config.TernSettings;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** TERN_GRPC_MAX_CALLS_PER_ADDRESS: a sane default, strictly validated. */
class GrpcSettingsTest {
    private static TernSettings fromEnv(Map<String, String> env) {
        return TernSettings.from(env, name -> null);
    }

    @Test
    void callsPerAddressDefaultsAndCanBeSet() {
        assertThat(fromEnv(Map.of()).listeners().grpcMaxCallsPerAddress()).isEqualTo(1024);
        assertThat(fromEnv(Map.of("TERN_GRPC_MAX_CALLS_PER_ADDRESS", "5000")).listeners().grpcMaxCallsPerAddress())
                .isEqualTo(5000);
        assertThat(TernSettings.from(Map.of(), name -> name.equals("tern.grpc-max-calls-per-address") ? "7" : null)
                .listeners().grpcMaxCallsPerAddress()).isEqualTo(7);
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "-1", "many", "1.5", "1000001", "99999999999"})
    void badCallsPerAddressNamesTheVariable(String value) {
        assertThatThrownBy(() -> fromEnv(Map.of("TERN_GRPC_MAX_CALLS_PER_ADDRESS", value)))
                .isInstanceOf(InvalidSettingException.class)
                .hasMessageStartingWith("TERN_GRPC_MAX_CALLS_PER_ADDRESS must be a number between 1 and 1000000");
    }
}

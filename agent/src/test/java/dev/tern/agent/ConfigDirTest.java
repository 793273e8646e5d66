package dev.tern.agent;

import dev.tern.agent.common.AgentException;
import dev.tern.protocol.crypto.X25519KeyPair;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConfigDirTest {
    @TempDir
    Path temp;

    @Test
    void theRouteSelectionIsKeptAsJson() {
        ConfigDir dir = new ConfigDir(temp.resolve("etc-tern"));
        dev.tern.agent.routing.Routing.Selection selection =
                new dev.tern.agent.routing.Routing.Selection(java.util.List.of("exit"), java.util.List.of("site"));

        dir.writeJson(dir.routeSelectionFile(), selection);

        assertThat(new ConfigDir(temp.resolve("etc-tern")).readJson(dir.routeSelectionFile(),
                dev.tern.agent.routing.Routing.Selection.class)).contains(selection);
    }

    @Test
    void keyIsGeneratedOnceWithMode0600AndReloaded() throws Exception {
        ConfigDir dir = new ConfigDir(temp.resolve("etc-tern"));

        X25519KeyPair first = dir.loadOrCreateKey();
        X25519KeyPair second = new ConfigDir(temp.resolve("etc-tern")).loadOrCreateKey();

        assertThat(second.publicKeyBase64()).isEqualTo(first.publicKeyBase64());
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.keyFile()))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.path()))).isEqualTo("rwx------");
        assertThat(Files.readString(dir.keyFile()).strip()).isEqualTo(first.privateKeyBase64());
    }

    @Test
    void looseKeyFilePermissionsAreTightened() throws Exception {
        ConfigDir dir = new ConfigDir(temp);
        dir.loadOrCreateKey();
        Files.setPosixFilePermissions(dir.keyFile(), PosixFilePermissions.fromString("rw-r--r--"));

        dir.loadOrCreateKey();

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.keyFile()))).isEqualTo("rw-------");
    }

    @Test
    void aCorruptKeyFileIsAClearErrorThatDoesNotEchoItsContent() throws Exception {
        ConfigDir dir = new ConfigDir(temp);
        Files.writeString(dir.keyFile(), "s3cret-not-a-key");

        assertThatThrownBy(dir::loadOrCreateKey).isInstanceOf(AgentException.class)
                .hasMessageContaining("does not hold a WireGuard private key")
                .hasMessageNotContaining("s3cret");
    }

    @Test
    void stateRoundTripsAsJsonWithoutThePrivateKey() throws Exception {
        ConfigDir dir = new ConfigDir(temp);
        X25519KeyPair key = dir.loadOrCreateKey();
        AgentState state = new AgentState("http://mgmt:33073", key.publicKeyBase64(), "100.64.0.5/16",
                "a.tern.internal", "tern0", 51820);

        dir.writeState(state);

        assertThat(dir.readState()).contains(state);
        String json = Files.readString(dir.stateFile());
        assertThat(json).contains("\"meshAddress\"").contains("100.64.0.5/16").contains("http://mgmt:33073");
        assertThat(json).doesNotContain(key.privateKeyBase64());
    }

    @Test
    void missingStateIsEmpty() {
        assertThat(new ConfigDir(temp).readState()).isEmpty();
    }

    @Test
    void theServerKeyIsPinnedInServerPubOfThisDir() throws Exception {
        ConfigDir dir = new ConfigDir(temp);
        Files.writeString(temp.resolve("server.pub"), "pinned-server-key=\n");

        assertThat(dir.serverKeyFile()).isEqualTo(temp.toAbsolutePath().resolve("server.pub"));
        assertThat(dir.serverKeyPin(false).reset()).contains("pinned-server-key=");
        assertThat(dir.serverKeyFile()).doesNotExist();
    }
}

package dev.tern.agent.routing;

import dev.tern.agent.dataplane.Shell;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** Kernel routes as diffs, the exit node's halves and host routes, and ip_forward remembered and put back. */
class LinuxHostTest {
    @TempDir
    Path dir;

    /** Records commands; {@code ip route get} answers as a host whose default route is via 192.0.2.1 on eth0. */
    static final class RecordingShell extends Shell {
        final List<String> commands = new ArrayList<>();

        @Override
        public Result run(List<String> command, String stdin) {
            commands.add(String.join(" ", command));
            if (command.contains("get")) {
                String address = command.get(command.size() - 1);
                return new Result(0, address + " via 192.0.2.1 dev eth0 src 192.0.2.10 uid 0\n    cache\n", "");
            }
            return new Result(0, "", "");
        }

        @Override
        public String check(String what, List<String> command, String stdin) {
            run(command, stdin);
            return "";
        }
    }

    private final RecordingShell shell = new RecordingShell();

    private LinuxHost host() throws Exception {
        Path forward = dir.resolve("ip_forward");
        if (!Files.exists(forward)) {
            Files.writeString(forward, "0\n");
        }
        return new LinuxHost("tern9", shell, forward, dir);
    }

    @Test
    void routesAreInstalledAndRemovedAsADiff() throws Exception {
        LinuxHost host = host();
        host.routes(Set.of("10.10.10.0/24", "10.20.0.0/16"), List.of("198.51.100.7"));
        host.routes(Set.of("10.10.10.0/24", "10.30.0.0/16"), List.of("198.51.100.7"));

        assertThat(shell.commands).containsExactly(
                "ip -4 route replace 10.10.10.0/24 dev tern9",
                "ip -4 route replace 10.20.0.0/16 dev tern9",
                "ip -4 route del 10.20.0.0/16 dev tern9",
                "ip -4 route replace 10.30.0.0/16 dev tern9");
        shell.commands.clear();
        host.close();
        assertThat(shell.commands).containsExactlyInAnyOrder(
                "ip -4 route del 10.10.10.0/24 dev tern9", "ip -4 route del 10.30.0.0/16 dev tern9");
    }

    @Test
    void ipv6NetworksAndResolvedHostsGoToTheirFamilysTable() throws Exception {
        LinuxHost host = host();
        host.routes(Set.of("2001:db8:10::/64", "10.10.10.5/32", "::/0"), List.of());

        assertThat(shell.commands).containsExactlyInAnyOrder(
                "ip -6 route replace 2001:db8:10::/64 dev tern9",
                "ip -6 route replace ::/1 dev tern9",
                "ip -6 route replace 8000::/1 dev tern9",
                "ip -4 route replace 10.10.10.5/32 dev tern9");
        shell.commands.clear();
        host.routes(Set.of(), List.of());
        assertThat(shell.commands).contains("ip -6 route del 2001:db8:10::/64 dev tern9",
                "ip -4 route del 10.10.10.5/32 dev tern9");
    }

    @Test
    void anExitNodeTakesBothHalvesAfterTheServersGotHostRoutesViaTheOldPath() throws Exception {
        LinuxHost host = host();
        host.routes(Set.of("0.0.0.0/0"), List.of("198.51.100.7", "127.0.0.1", "198.51.100.7", "fd00::1"));

        assertThat(shell.commands).containsExactly(
                "ip -4 route get 198.51.100.7",
                "ip -4 route replace 198.51.100.7/32 via 192.0.2.1 dev eth0",
                "ip -4 route replace 0.0.0.0/1 dev tern9",
                "ip -4 route replace 128.0.0.0/1 dev tern9");

        shell.commands.clear();
        host.routes(Set.of(), List.of("198.51.100.7"));
        assertThat(shell.commands).containsExactly(
                "ip -4 route del 0.0.0.0/1 dev tern9",
                "ip -4 route del 128.0.0.0/1 dev tern9",
                "ip -4 route del 198.51.100.7/32 via 192.0.2.1 dev eth0");
    }

    @Test
    void anAddressAlreadyBehindTheMeshIsNotPinnedThere() {
        assertThat(LinuxHost.pathOf("198.51.100.9 dev tern9 src 100.64.0.2 uid 0", "tern9")).isEmpty();
        assertThat(LinuxHost.pathOf("10.0.0.3 dev eth1 src 10.0.0.2 uid 0", "tern9"))
                .contains(List.of("dev", "eth1"));
        assertThat(LinuxHost.pathOf("RTNETLINK answers: Network is unreachable", "tern9")).isEmpty();
    }

    @Test
    void forwardingIsTurnedOnWhileServingAndPutBackAsItWas() throws Exception {
        LinuxHost host = host();
        Path forward = dir.resolve("ip_forward");
        host.forwarding(true);
        assertThat(Files.readString(forward).strip()).isEqualTo("1");
        host.forwarding(true);
        host.forwarding(false);
        assertThat(Files.readString(forward).strip()).isEqualTo("0");

        host.forwarding(true);
        host.close();
        assertThat(Files.readString(forward).strip()).isEqualTo("0");
    }

    @Test
    void ipv6ForwardingIsItsOwnSwitchWithItsOwnBackup() throws Exception {
        Path forward = dir.resolve("ip_forward");
        Path forward6 = dir.resolve("ip6_forward");
        Files.writeString(forward, "0\n");
        Files.writeString(forward6, "0\n");
        LinuxHost crashed = new LinuxHost("tern9", shell, forward, forward6, dir);
        crashed.forwardingIpv6(true);
        assertThat(Files.readString(forward6).strip()).isEqualTo("1");
        assertThat(Files.readString(forward).strip()).as("IPv4 forwarding untouched").isEqualTo("0");
        // no close(): the process died

        assertThat(LinuxHost.restoreLeftover(forward, dir)).isFalse();
        assertThat(LinuxHost.restoreLeftoverIpv6(forward6, dir)).isTrue();
        assertThat(Files.readString(forward6).strip()).isEqualTo("0");

        LinuxHost host = new LinuxHost("tern9", shell, forward, forward6, dir);
        host.forwardingIpv6(true);
        host.close();
        assertThat(Files.readString(forward6).strip()).isEqualTo("0");
    }

    @Test
    void forwardingACrashedRunLeftOnIsPutBackFromItsBackup() throws Exception {
        Path forward = dir.resolve("ip_forward");
        LinuxHost crashed = host();
        crashed.forwarding(true);
        assertThat(Files.readString(forward).strip()).isEqualTo("1");
        // no close(): the process died

        assertThat(LinuxHost.restoreLeftover(forward, dir)).isTrue();
        assertThat(Files.readString(forward).strip()).isEqualTo("0");
        assertThat(dir.resolve(LinuxHost.FORWARDING_BACKUP)).doesNotExist();
        assertThat(LinuxHost.restoreLeftover(forward, dir)).as("nothing left the second time").isFalse();

        LinuxHost clean = host();
        clean.forwarding(true);
        clean.close();
        assertThat(dir.resolve(LinuxHost.FORWARDING_BACKUP)).as("a clean stop leaves no backup").doesNotExist();
    }

    @Test
    void forwardingThatWasAlreadyOnStaysOn() throws Exception {
        Files.writeString(dir.resolve("ip_forward"), "1\n");
        LinuxHost host = host();
        host.forwarding(true);
        host.close();
        assertThat(Files.readString(dir.resolve("ip_forward")).strip()).isEqualTo("1");
    }
}

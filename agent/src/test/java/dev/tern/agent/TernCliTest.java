package dev.tern.agent;

import dev.tern.agent.common.AgentException;
import dev.tern.agent.control.Channels;
import dev.tern.agent.status.StatusReport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class TernCliTest {
    @TempDir
    Path temp;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        return TernCli.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
    }

    private static StatusReport report() {
        return new StatusReport("tern0", "PUB", "100.64.0.1/16", "a.tern.internal", 3,
                new StatusReport.Connection("http://mgmt:33073", "connected", null),
                new StatusReport.Connection("http://signal:10000", "connected", null),
                new StatusReport.Connection("rel://relay:33080", "connected", null),
                List.of(new StatusReport.Peer("b", "b.tern.internal", "KEYB", "100.64.0.2", null, "idle", null, 0, 0, null)),
                "2026-01-01T00:00:00Z");
    }

    @Test
    void statusWithoutADaemonSaysSoWithExitCode5() {
        assertThat(run("status", "--config-dir", temp.toString())).isEqualTo(AgentException.NOT_RUNNING);
        assertThat(err.toString()).contains("tern is not running");
    }

    @Test
    void downWithoutADaemonSaysSoWithExitCode5() {
        assertThat(run("down", "--config-dir", temp.toString())).isEqualTo(AgentException.NOT_RUNNING);
        assertThat(err.toString()).contains("tern is not running");
    }

    @Test
    void upNeedsAManagementUrl() {
        assertThat(run("up", "--setup-key", "K")).isEqualTo(2);
        assertThat(err.toString()).contains("--management-url");
    }

    @Test
    void badArgumentsAreUsageErrorsAndCreateNothing() {
        Path dir = temp.resolve("cfg");
        assertThat(run("up", "--management-url", "http://127.0.0.1:1", "--wg-port", "0", "--config-dir", dir.toString()))
                .isEqualTo(2);
        assertThat(err.toString()).contains("--wg-port");
        assertThat(run("up", "--management-url", "http://127.0.0.1:1", "--interface", "no spaces please",
                "--config-dir", dir.toString())).isEqualTo(2);
        assertThat(run("up", "--management-url", "ftp://host", "--config-dir", dir.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("http:// or https://");
        assertThat(dir).doesNotExist();
    }

    private Path privateFile(String name, String content) throws Exception {
        Path file = temp.resolve(name);
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(file, content);
        return file;
    }

    private static TernCli.Up parseUp(String... args) {
        List<String> all = new java.util.ArrayList<>(List.of("up", "--management-url", "http://127.0.0.1:1"));
        all.addAll(List.of(args));
        CommandLine.ParseResult parsed = new CommandLine(new TernCli()).parseArgs(all.toArray(String[]::new));
        return (TernCli.Up) parsed.subcommand().commandSpec().userObject();
    }

    @Test
    void setupKeyFromAFileExcludesTheFlagAndMustNotBeEmpty() throws Exception {
        Path keyFile = privateFile("setup.key", "");
        assertThat(run("up", "--management-url", "http://127.0.0.1:1", "--setup-key-file", keyFile.toString(),
                "--config-dir", temp.resolve("cfg").toString())).isEqualTo(2);
        assertThat(err.toString()).contains("is empty");

        Files.writeString(keyFile, "KEY-FROM-FILE\n");
        assertThat(run("up", "--management-url", "http://127.0.0.1:1", "--setup-key", "OTHER",
                "--setup-key-file", keyFile.toString(), "--config-dir", temp.resolve("cfg").toString())).isEqualTo(2);
        assertThat(err.toString()).contains("not both").doesNotContain("KEY-FROM-FILE").doesNotContain("OTHER");
        assertThat(temp.resolve("cfg")).doesNotExist();
    }

    @Test
    void aSetupKeyFileOtherUsersCanReadIsRefusedWithoutShowingTheKey() throws Exception {
        Path keyFile = privateFile("shared.key", "KEY-FROM-SHARED-FILE\n");
        Files.setPosixFilePermissions(keyFile, PosixFilePermissions.fromString("rw-r--r--"));

        assertThat(run("up", "--management-url", "http://127.0.0.1:1", "--setup-key-file", keyFile.toString(),
                "--config-dir", temp.resolve("cfg").toString())).isEqualTo(2);

        assertThat(err.toString()).contains("accessible to other users").contains("chmod 600 " + keyFile)
                .doesNotContain("KEY-FROM-SHARED-FILE");
        assertThat(temp.resolve("cfg")).doesNotExist();
        Files.setPosixFilePermissions(keyFile, PosixFilePermissions.fromString("rw-rw----"));
        assertThat(run("up", "--management-url", "http://127.0.0.1:1", "--setup-key-file", keyFile.toString(),
                "--config-dir", temp.resolve("cfg").toString())).isEqualTo(2);
        assertThat(temp.resolve("cfg")).doesNotExist();
    }

    @Test
    void theSetupKeyComesFromAPrivateFileOrTheEnvironmentAndTheFlagWarnsAboutPs() throws Exception {
        Path keyFile = privateFile("setup.key", "  KEY-FROM-FILE\n");
        StringWriter warnings = new StringWriter();
        PrintWriter warn = new PrintWriter(warnings, true);
        Map<String, String> environment = Map.of("TERN_SETUP_KEY", "KEY-FROM-ENV\n");

        assertThat(parseUp("--setup-key-file", keyFile.toString()).resolveSetupKey(environment, warn))
                .isEqualTo("KEY-FROM-FILE");
        assertThat(parseUp().resolveSetupKey(environment, warn)).isEqualTo("KEY-FROM-ENV");
        assertThat(parseUp().resolveSetupKey(Map.of(), warn)).isNull();
        assertThat(warnings.toString()).isEmpty();

        assertThat(parseUp("--setup-key", "KEY-ON-THE-COMMAND-LINE").resolveSetupKey(environment, warn))
                .isEqualTo("KEY-ON-THE-COMMAND-LINE");
        assertThat(warnings.toString()).contains("process list").contains("TERN_SETUP_KEY").contains("--setup-key-file")
                .doesNotContain("KEY-ON-THE-COMMAND-LINE");
    }

    @Test
    void helpDescribesThePrivateWaysToPassTheSetupKey() {
        assertThat(run("up", "--help")).isZero();
        assertThat(out.toString()).contains("--setup-key-file").contains("TERN_SETUP_KEY");
    }

    @Test
    void statusReadsTheDaemonsControlSocket() {
        ConfigDir dir = new ConfigDir(temp);
        try (ControlSocket socket = ControlSocket.start(dir.controlSocket(),
                command -> "status".equals(command) ? report().toJson().replace('\n', ' ') : "error")) {
            assertThat(run("status", "--json", "--config-dir", temp.toString())).isEqualTo(0);
            assertThat(StatusReport.fromJson(out.toString())).isEqualTo(report());

            out.getBuffer().setLength(0);
            assertThat(run("status", "--detail", "--config-dir", temp.toString())).isEqualTo(0);
            assertThat(out.toString()).contains("Mesh IP:    100.64.0.1/16").contains("b (b.tern.internal)");
        }
    }

    @Test
    void routeSelectAndDeselectAskTheDaemonAndReportAnUnknownNetworkId() {
        ConfigDir dir = new ConfigDir(temp);
        List<String> asked = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (ControlSocket socket = ControlSocket.start(dir.controlSocket(), command -> {
            asked.add(command);
            return command.endsWith(" exit") ? "ok" : "error: no route with network id nope";
        })) {
            assertThat(run("route", "select", "exit", "--config-dir", temp.toString())).isEqualTo(0);
            assertThat(out.toString()).contains("selected the routes of exit");
            assertThat(run("route", "deselect", "exit", "--config-dir", temp.toString())).isEqualTo(0);
            assertThat(run("route", "select", "nope", "--config-dir", temp.toString()))
                    .isEqualTo(AgentException.FAILURE);
            assertThat(err.toString()).contains("no route with network id nope");
            assertThat(run("route", "select", "two words", "--config-dir", temp.toString()))
                    .isEqualTo(CommandLine.ExitCode.USAGE);
            assertThat(asked).containsExactly("route select exit", "route deselect exit", "route select nope");
        }
        assertThat(run("route", "select", "exit", "--config-dir", temp.toString()))
                .isEqualTo(AgentException.NOT_RUNNING);
    }

    @Test
    void statusFallsBackToTheStatusFileWhileTheDaemonLives() throws Exception {
        ConfigDir dir = new ConfigDir(temp);
        Files.writeString(dir.pidFile(), ProcessHandle.current().pid() + "\n");
        dir.writeJson(dir.statusFile(), report());

        assertThat(run("status", "--json", "--config-dir", temp.toString())).isEqualTo(0);
        assertThat(StatusReport.fromJson(out.toString())).isEqualTo(report());
    }

    @Test
    void aStaleStatusFileOfADeadDaemonIsNotShown() throws Exception {
        ConfigDir dir = new ConfigDir(temp);
        Files.writeString(dir.pidFile(), "999999999\n");
        dir.writeJson(dir.statusFile(), report());

        assertThat(run("status", "--config-dir", temp.toString())).isEqualTo(AgentException.NOT_RUNNING);
    }

    @Test
    void managementUrlsParse() {
        assertThat(Channels.parseManagementUrl("http://10.0.0.1:33073")).isEqualTo(new Channels.Target("10.0.0.1", 33073, false));
        assertThat(Channels.parseManagementUrl("https://mgmt.example.com")).isEqualTo(new Channels.Target("mgmt.example.com", 443, true));
        assertThat(Channels.parseManagementUrl("mgmt:33073")).isEqualTo(new Channels.Target("mgmt", 33073, false));
        assertThat(Channels.parseManagementUrl("http://[fd00::1]:33073")).isEqualTo(new Channels.Target("fd00::1", 33073, false));
    }
}

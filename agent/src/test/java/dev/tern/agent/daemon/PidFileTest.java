package dev.tern.agent.daemon;

import dev.tern.agent.common.AgentException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PidFileTest {
    @TempDir
    Path configDir;

    @Test
    void claimWritesOurPidAndASecondDaemonForTheSameDirIsRefused() throws Exception {
        PidFile pidFile = new PidFile(configDir.resolve("tern.pid"));

        pidFile.claim();

        assertThat(Files.readString(configDir.resolve("tern.pid")).strip())
                .isEqualTo(Long.toString(ProcessHandle.current().pid()));
        assertThat(pidFile.runningPid()).contains(ProcessHandle.current().pid());
        assertThatThrownBy(new PidFile(configDir.resolve("tern.pid"))::claim)
                .isInstanceOf(AgentException.class)
                .hasMessage("tern is already running for " + configDir.toAbsolutePath() + " (pid "
                        + ProcessHandle.current().pid() + "); run tern down first");
    }

    @Test
    void aStaleOrGarbledPidFileIsNoRunningDaemonAndIsTakenOver() throws Exception {
        Process exited = new ProcessBuilder("true").start();
        exited.waitFor();
        Path file = configDir.resolve("tern.pid");
        PidFile pidFile = new PidFile(file);

        Files.writeString(file, exited.pid() + "\n");
        assertThat(pidFile.runningPid()).isEmpty();
        Files.writeString(file, "not a pid\n");
        assertThat(pidFile.runningPid()).isEmpty();

        pidFile.claim();
        assertThat(pidFile.runningPid()).contains(ProcessHandle.current().pid());

        pidFile.delete();
        assertThat(file).doesNotExist();
        assertThat(pidFile.runningPid()).isEmpty();
    }
}

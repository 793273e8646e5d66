package dev.tern.testsupport.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Child processes with real shells: where their output goes, how they are waited for and stopped. */
class ChildProcessTest {
    @TempDir
    Path dir;

    @Test
    void oneLogHoldsTheCommandLineAndBothStreamsAndIsAppendedToOnARestartWhileEachRunReadsItsOwnOutput()
            throws Exception {
        Path log = dir.resolve("logs").resolve("echo.log");
        List<String> command = List.of("sh", "-c", "echo out-$GREETING; echo err-$GREETING >&2");

        try (ChildProcess first = ChildProcess.start("echo", command, Map.of("GREETING", "one"), log)) {
            assertThat(first.awaitExit(Duration.ofSeconds(30))).isZero();
        }
        try (ChildProcess second = ChildProcess.start("echo", command, Map.of("GREETING", "two"), log)) {
            assertThat(second.awaitExit(Duration.ofSeconds(30))).isZero();
            assertThat(second.stdout()).as("this run's output only, without the header")
                    .isEqualTo("out-two\nerr-two\n").isEqualTo(second.stderr());
            assertThat(second.log()).isEqualTo(log);
        }

        assertThat(Files.readAllLines(log)).containsExactly(
                "=== " + String.join(" ", command), "out-one", "err-one",
                "=== " + String.join(" ", command), "out-two", "err-two");
    }

    @Test
    void separateFilesKeepStderrApartForTestsThatAssertOnIt() {
        try (ChildProcess child = ChildProcess.start("split", List.of("sh", "-c", "echo out; echo err >&2; exit 3"),
                environment -> { }, dir.resolve("split.out"), dir.resolve("split.err"))) {
            assertThat(child.awaitExit(Duration.ofSeconds(30))).isEqualTo(3);
            assertThat(child.stdout()).isEqualTo("out\n");
            assertThat(child.stderr()).isEqualTo("err\n");
        }
    }

    @Test
    void awaitOutputReturnsOnTheLineAndFailsWithTheOutputWhenTheProcessExitsFirst() {
        try (ChildProcess ready = ChildProcess.start("ready", List.of("sh", "-c", "echo starting; echo \"$STATE\"; sleep 60"),
                Map.of("STATE", "ready"), dir.resolve("ready.log"))) {
            // The command line heads the log but names no "ready": only the shell's own output can match.
            ready.awaitOutput("ready", Duration.ofSeconds(30));
            assertThat(ready.isAlive()).isTrue();
        }
        try (ChildProcess dies = ChildProcess.start("dies", List.of("sh", "-c", "echo bad setting >&2; exit 2"),
                environment -> { }, dir.resolve("dies.out"), dir.resolve("dies.err"))) {
            assertThatThrownBy(() -> dies.awaitOutput("ready", Duration.ofSeconds(30)))
                    .hasMessageContaining("dies exited with 2 before it printed 'ready'")
                    .hasMessageContaining("bad setting");
        }
    }

    @Test
    void terminateSignalsOnlyTheProcessAndReturnsItsExitStatus() {
        // The shell traps SIGTERM and exits 7: proof that SIGTERM, not SIGKILL, arrived.
        try (ChildProcess child = ChildProcess.start("trap", List.of("sh", "-c",
                "trap 'exit 7' TERM; echo \"$STATE\"; while true; do sleep 0.1; done"), Map.of("STATE", "armed"),
                dir.resolve("trap.log"))) {
            child.awaitOutput("armed", Duration.ofSeconds(30));
            assertThat(child.terminate(Duration.ofSeconds(30))).isEqualTo(7);
        }
    }

    @Test
    void stopTreeAndCloseLeaveNoDescendantBehind() throws Exception {
        for (boolean tree : new boolean[] {true, false}) {
            // The shell ignores SIGTERM, and its child sleeps in the background: only SIGKILL ends both.
            ChildProcess child = ChildProcess.start("stubborn", List.of("sh", "-c",
                    "trap '' TERM; sleep 300 & echo \"$STATE\"; wait"), Map.of("STATE", "started"),
                    dir.resolve("stubborn.log"));
            child.awaitOutput("started", Duration.ofSeconds(30));
            List<ProcessHandle> descendants = ProcessHandle.of(child.pid()).orElseThrow().descendants().toList();
            assertThat(descendants).as("the background sleep").isNotEmpty();

            if (tree) {
                child.stopTree(Duration.ofMillis(500));
            } else {
                child.close(Duration.ofMillis(500));
            }

            assertThat(child.isAlive()).isFalse();
            for (ProcessHandle descendant : descendants) {
                descendant.onExit().get(30, java.util.concurrent.TimeUnit.SECONDS);
                assertThat(descendant.isAlive()).as("descendant %s", descendant.pid()).isFalse();
            }
        }
    }

    @Test
    void aMissingArtifactFailsLoudlyWithHowToBuildIt() {
        assertThatThrownBy(() -> ChildProcess.artifact("../nowhere/target/missing.jar"))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("../nowhere/target/missing.jar is missing")
                .hasMessageContaining("./mvnw");
    }
}

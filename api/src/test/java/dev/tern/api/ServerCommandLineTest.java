package dev.tern.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.api.ServerCommandLine.Action;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ServerCommandLineTest {

    @Test
    void noArgumentsServes() {
        assertThat(ServerCommandLine.parse().action()).isEqualTo(Action.SERVE);
    }

    @Test
    void replayTakesAnOptionalProjectionInEitherSpelling() {
        assertThat(ServerCommandLine.parse("replay")).isEqualTo(
                new ServerCommandLine(Action.REPLAY, Optional.empty(), null));
        assertThat(ServerCommandLine.parse("replay", "--projection", "peers").projection()).contains("peers");
        assertThat(ServerCommandLine.parse("replay", "--projection=dns").projection()).contains("dns");
    }

    @Test
    void helpAnywhereAsksForTheUsage() {
        assertThat(ServerCommandLine.parse("--help").action()).isEqualTo(Action.HELP);
        assertThat(ServerCommandLine.parse("-h").action()).isEqualTo(Action.HELP);
        assertThat(ServerCommandLine.parse("replay", "--help").action()).isEqualTo(Action.HELP);
    }

    @Test
    void unknownCommandsAndOptionsAreRefusedNamingThem() {
        assertThat(ServerCommandLine.parse("replya")).extracting(ServerCommandLine::action, ServerCommandLine::error)
                .containsExactly(Action.INVALID, "unknown command 'replya'");
        assertThat(ServerCommandLine.parse("--server.port=9000").error())
                .isEqualTo("unknown option '--server.port=9000'");
        assertThat(ServerCommandLine.parse("replay", "--projections", "x").error())
                .isEqualTo("unknown option '--projections' for replay");
        assertThat(ServerCommandLine.parse("replay", "peers").error()).isEqualTo("unknown option 'peers' for replay");
        assertThat(ServerCommandLine.parse("replay", "--projection").error())
                .isEqualTo("--projection needs a projection name");
        assertThat(ServerCommandLine.parse("replay", "--projection=").error())
                .isEqualTo("--projection needs a projection name");
        assertThat(ServerCommandLine.parse("replay", "--projection", "a", "--projection", "b").error())
                .isEqualTo("--projection given twice");
        assertThat(ServerCommandLine.parse("--help", "replay").action()).isEqualTo(Action.INVALID);
    }
}

package dev.tern.agent.daemon;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class OrderedShutdownTest {
    private final List<String> closed = new ArrayList<>();

    @Test
    void stepsRunInTheOrderTheyWereAddedAndResourcesThatNeverCameUpAreSkipped() throws IOException {
        String[] created = {null};
        OrderedShutdown shutdown = new OrderedShutdown()
                .then(() -> "streams", closed::add)
                .then(() -> null, (String never) -> closed.add("closed a resource that never came up"))
                .then(() -> created[0], closed::add)
                .then(() -> closed.add("files"));
        // What a resource is gets read when its step runs, not when the step was added.
        created[0] = "interface";

        shutdown.run();

        assertThat(closed).containsExactly("streams", "interface", "files");
    }

    @Test
    void theFirstFailingStepEndsTheRunAndReachesTheCaller() {
        OrderedShutdown shutdown = new OrderedShutdown()
                .then(() -> closed.add("streams"))
                .then(() -> {
                    throw new IOException("interface is busy");
                })
                .then(() -> closed.add("firewall table"));

        assertThatThrownBy(shutdown::run).isInstanceOf(IOException.class).hasMessage("interface is busy");
        assertThat(closed).containsExactly("streams");
    }
}

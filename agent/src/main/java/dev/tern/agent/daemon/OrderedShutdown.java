package dev.tern.agent.daemon;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * The daemon's clean-up as one list, run in the order it was written: streams before the channels they run on,
 * the interface before its firewall table, the status and pid files last. The first step that fails ends the run
 * and its failure goes to the caller, since later steps may rely on what earlier ones closed.
 */
public final class OrderedShutdown {

    @FunctionalInterface
    public interface Step {
        void run() throws IOException;
    }

    @FunctionalInterface
    public interface Closer<T> {
        void close(T resource) throws IOException;
    }

    private final List<Step> steps = new ArrayList<>();

    public OrderedShutdown then(Step step) {
        steps.add(step);
        return this;
    }

    /** Closes what {@code resource} holds when the step runs (not when it is added); nothing when that is null. */
    public <T> OrderedShutdown then(Supplier<T> resource, Closer<T> close) {
        return then(() -> {
            T current = resource.get();
            if (current != null) {
                close.close(current);
            }
        });
    }

    public void run() throws IOException {
        for (Step step : steps) {
            step.run();
        }
    }
}

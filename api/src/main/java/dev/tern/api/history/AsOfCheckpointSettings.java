package dev.tern.api.history;

import dev.tern.api.config.InvalidSettingException;
import dev.tern.api.config.TernSettings;
import dev.tern.signal.SettingValues;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * When the read-model checkpoints of {@code as_of} reads are taken and how many are kept. Parsed from the same
 * validated {@code TERN_*} values as every other setting ({@code TernSettings.from} calls {@link #parse}, so a bad
 * value stops start-up with one line).
 *
 * @param every an account gets a new checkpoint once it has this many events after its newest one: an as-of read
 *              then replays at most about this many events (plus what arrived since the last check)
 * @param kept  checkpoints kept per account, the newest; an instant before the oldest kept replays from the first
 *              event. Storage per account is about {@code kept} copies of its read rows.
 */
public record AsOfCheckpointSettings(int every, int kept) {
    public static final String EVERY = "TERN_AS_OF_CHECKPOINT_EVERY";
    public static final String KEPT = "TERN_AS_OF_CHECKPOINTS_KEPT";
    public static final List<String> VARIABLES = List.of(EVERY, KEPT);

    /** At 5,000 peers a replay of 500 events into the temporary tables stays well under the 200 ms read target. */
    public static final int DEFAULT_EVERY = 500;
    public static final int DEFAULT_KEPT = 10;
    static final int MAX_EVERY = 10_000_000;
    static final int MAX_KEPT = 1_000;

    /**
     * Reads the settings from validated {@code TERN_*} values (as {@link SettingValues#read} returns them).
     *
     * @throws InvalidSettingException naming the variable, with a one-line reason
     */
    public static AsOfCheckpointSettings parse(Map<String, String> values) {
        try {
            return new AsOfCheckpointSettings(SettingValues.count(values, EVERY, DEFAULT_EVERY, MAX_EVERY),
                    SettingValues.count(values, KEPT, DEFAULT_KEPT, MAX_KEPT));
        } catch (IllegalArgumentException e) {
            throw new InvalidSettingException(e.getMessage());
        }
    }

    /** The settings of this process (environment and system properties), like {@code IdpSettings.from}. */
    public static AsOfCheckpointSettings from(Map<String, String> environment, Function<String, String> properties) {
        return TernSettings.readPart(environment, properties, VARIABLES, AsOfCheckpointSettings::parse);
    }
}

package dev.tern.api.process;

import dev.tern.api.support.TempDataDirInitializer;
import dev.tern.testsupport.process.TernServerProcess;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The tern-server processes one test starts, each on a data directory of its own; none outlives {@link #close}. */
final class ServerNodes implements AutoCloseable {
    private final List<TernServerProcess> started = new ArrayList<>();
    private final List<Path> dataDirs = new ArrayList<>();

    /** A new data directory, deleted at {@link #close}. */
    Path newDataDir() {
        Path dataDir = TempDataDirInitializer.newDataDir();
        dataDirs.add(dataDir);
        return dataDir;
    }

    /** A node on a new data directory with these variables, once it is ready. */
    TernServerProcess start(Map<String, String> env) {
        return start(newDataDir(), env);
    }

    /** A node on {@code dataDir} (a restart when a node ran there before), once it is ready. */
    TernServerProcess start(Path dataDir, Map<String, String> env) {
        TernServerProcess node = TernServerProcess.launch(dataDir, new HashMap<>(env));
        started.add(node);
        return node.awaitReady();
    }

    @Override
    public void close() {
        started.forEach(TernServerProcess::close);
        dataDirs.forEach(TempDataDirInitializer::delete);
    }
}

package dev.tern.api.storage;

import dev.tern.api.config.StartupFailure;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Exclusive ownership of a data directory by one tern-server: an OS file lock on {@code <dataDir>/tern.lock}. The
 * kernel releases it when the process dies however it dies, so a crash never leaves the directory locked; the
 * file also names the owner's pid for the "in use" message.
 *
 * <p>The directory is made private (0700), also when it was created by an earlier version with the default umask:
 * it holds the embedded database (with everything tern-server stores) and its password, and a local user must get
 * nothing from it.
 */
public final class DataDirectoryLock implements AutoCloseable {

    static final String LOCK_FILE = "tern.lock";
    private static final Set<PosixFilePermission> OWNER_ONLY_DIRECTORY = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> OWNER_ONLY_FILE = PosixFilePermissions.fromString("rw-------");

    private final Path dataDir;
    private final FileChannel channel;
    private final FileLock lock;

    private DataDirectoryLock(Path dataDir, FileChannel channel, FileLock lock) {
        this.dataDir = dataDir;
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Takes the lock, creating the directory if needed.
     *
     * @throws StartupFailure when another tern-server holds it or the directory cannot be used
     */
    public static DataDirectoryLock acquire(Path dataDir) {
        try {
            Files.createDirectories(dataDir);
        } catch (IOException e) {
            throw new StartupFailure("cannot create data directory " + dataDir + ": " + e);
        }
        makePrivate(dataDir);
        Path lockFile = dataDir.resolve(LOCK_FILE);
        FileChannel channel;
        try {
            channel = FileChannel.open(lockFile, Set.of(StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE), PosixFilePermissions.asFileAttribute(OWNER_ONLY_FILE));
        } catch (IOException e) {
            throw new StartupFailure("cannot open lock file " + lockFile + ": " + e);
        }
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null; // held by this very JVM: still "in use"
        } catch (IOException e) {
            closeQuietly(channel);
            throw new StartupFailure("cannot lock " + lockFile + ": " + e);
        }
        if (lock == null) {
            String owner = readOwner(channel);
            closeQuietly(channel);
            throw new StartupFailure("data directory " + dataDir + " is in use by another tern-server"
                    + (owner.isEmpty() ? "" : " (pid " + owner + ")")
                    + "; stop it first or choose another TERN_DATA_DIR");
        }
        try {
            channel.truncate(0);
            channel.write(ByteBuffer.wrap(Long.toString(ProcessHandle.current().pid()).getBytes(StandardCharsets.US_ASCII)), 0);
            channel.force(true);
        } catch (IOException e) {
            // The pid is only used in a message; the lock itself is what matters.
        }
        return new DataDirectoryLock(dataDir, channel, lock);
    }

    /**
     * 0700 on the directory, which alone keeps every other account out of everything in it; 0600 on the lock file
     * an earlier version made with the umask. Other files are left alone: TERN_DATA_DIR may point at a directory
     * that holds more than tern-server's files.
     */
    private static void makePrivate(Path dataDir) {
        try {
            Files.setPosixFilePermissions(dataDir, OWNER_ONLY_DIRECTORY);
            Path lockFile = dataDir.resolve(LOCK_FILE);
            if (Files.isRegularFile(lockFile, LinkOption.NOFOLLOW_LINKS)) {
                Files.setPosixFilePermissions(lockFile, OWNER_ONLY_FILE);
            }
        } catch (IOException | UnsupportedOperationException e) {
            throw new StartupFailure("cannot make data directory " + dataDir + " private (0700): " + e);
        }
    }

    private static String readOwner(FileChannel channel) {
        try {
            ByteBuffer buffer = ByteBuffer.allocate(32);
            int n = channel.read(buffer, 0);
            return n <= 0 ? "" : new String(buffer.array(), 0, n, StandardCharsets.US_ASCII).strip();
        } catch (IOException e) {
            return "";
        }
    }

    public Path dataDir() {
        return dataDir;
    }

    @Override
    public void close() {
        try {
            lock.release();
        } catch (IOException e) {
            // closing the channel below releases it as well
        }
        closeQuietly(channel);
    }

    private static void closeQuietly(FileChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // nothing useful to do while giving the file up
        }
    }
}

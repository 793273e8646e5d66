package dev.tern.command;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class BackgroundSnapshotterTest {

    @Test
    void snapshotsRunOnTheBackgroundThreadAndQueuedDuplicatesCollapse() throws Exception {
        CountDownLatch firstStarted = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        List<String> taken = new CopyOnWriteArrayList<>();
        try (BackgroundSnapshotter background = new BackgroundSnapshotter((type, id) -> {
            taken.add(id + "@" + Thread.currentThread().getName());
            firstStarted.countDown();
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        })) {
            background.snapshotter().scheduleSnapshot(Account.class, "a");
            assertThat(firstStarted.await(10, TimeUnit.SECONDS)).isTrue();
            // while "a" is being snapshotted, three more requests for "a" queue up as one; "b" queues separately
            background.snapshotter().scheduleSnapshot(Account.class, "a");
            background.snapshotter().scheduleSnapshot(Account.class, "a");
            background.snapshotter().scheduleSnapshot(Account.class, "b");
            background.snapshotter().scheduleSnapshot(Account.class, "a");
            release.countDown();
            await().atMost(10, TimeUnit.SECONDS).until(() -> taken.size() == 3);
            assertThat(taken).containsExactly("a@tern-snapshotter", "a@tern-snapshotter", "b@tern-snapshotter");
        }
    }

    @Test
    void aFailedSnapshotDoesNotStopLaterOnes() throws Exception {
        List<String> taken = new CopyOnWriteArrayList<>();
        try (BackgroundSnapshotter background = new BackgroundSnapshotter((type, id) -> {
            if (id.equals("broken")) {
                throw new IllegalStateException("store unavailable");
            }
            taken.add(id);
        })) {
            background.snapshotter().scheduleSnapshot(Account.class, "broken");
            background.snapshotter().scheduleSnapshot(Account.class, "fine");
            await().atMost(10, TimeUnit.SECONDS).until(() -> taken.contains("fine"));
        }
    }
}

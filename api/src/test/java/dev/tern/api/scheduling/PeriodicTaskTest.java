package dev.tern.api.scheduling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The schedule the sweepers and the clock guard share: its thread, failures that don't end it, and stop. */
class PeriodicTaskTest {
    private static final Duration INTERVAL = Duration.ofMillis(20);

    private final List<PeriodicTask> started = new CopyOnWriteArrayList<>();

    @AfterEach
    void stopAll() {
        started.forEach(PeriodicTask::stop);
    }

    /** Counts its runs; the first {@code failing} runs throw. */
    private static class CountingTask extends PeriodicTask {
        final AtomicInteger runs = new AtomicInteger();
        final List<RuntimeException> failures = new CopyOnWriteArrayList<>();
        final List<Thread> threads = new CopyOnWriteArrayList<>();
        private final int failing;

        CountingTask(String threadName, int threadPriority, int failing) {
            super(threadName, threadPriority, INTERVAL);
            this.failing = failing;
        }

        @Override
        protected void scheduledRun() {
            exclusively(() -> {
                threads.add(Thread.currentThread());
                if (runs.incrementAndGet() <= failing) {
                    throw new IllegalStateException("run " + runs.get() + " failed");
                }
                return null;
            });
        }

        @Override
        protected void scheduledRunFailed(RuntimeException failure) {
            failures.add(failure);
        }
    }

    private <T extends PeriodicTask> T started(T task) {
        started.add(task);
        task.start();
        return task;
    }

    @Test
    void runsOnOneNamedDaemonThreadOfTheGivenPriority() {
        CountingTask task = started(new CountingTask("test-periodic", Thread.MIN_PRIORITY, 0));
        assertThat(task.isRunning()).isTrue();
        await().atMost(Duration.ofSeconds(10)).until(() -> task.runs.get() >= 2);
        assertThat(task.threads).extracting(Thread::getName).containsOnly("test-periodic");
        assertThat(task.threads).allSatisfy(thread -> {
            assertThat(thread.isDaemon()).isTrue();
            assertThat(thread.getPriority()).isEqualTo(Thread.MIN_PRIORITY);
        });
        assertThat(task.threads.stream().distinct()).hasSize(1);
    }

    @Test
    void aFailedRunIsReportedAndTheScheduleGoesOn() {
        CountingTask task = started(new CountingTask("test-failing", Thread.NORM_PRIORITY, 2));
        await().atMost(Duration.ofSeconds(10)).until(() -> task.runs.get() >= 4);
        assertThat(task.failures).extracting(Throwable::getMessage).containsExactly("run 1 failed", "run 2 failed");
        assertThat(task.isRunning()).isTrue();
    }

    @Test
    void stopTellsTheRunInProgressAndEndsTheSchedule() throws InterruptedException {
        CountDownLatch inRun = new CountDownLatch(1);
        AtomicBoolean sawStopping = new AtomicBoolean();
        AtomicInteger runs = new AtomicInteger();
        PeriodicTask task = started(new PeriodicTask("test-stopping", INTERVAL) {
            @Override
            protected void scheduledRun() {
                runs.incrementAndGet();
                inRun.countDown();
                // a run's loop walks on until the task stops
                await().atMost(Duration.ofSeconds(10)).until(this::stopping);
                sawStopping.set(true);
            }

            @Override
            protected void scheduledRunFailed(RuntimeException failure) {
                throw new AssertionError(failure);
            }
        });
        assertThat(inRun.await(10, TimeUnit.SECONDS)).isTrue();
        task.stop();
        assertThat(sawStopping).isTrue();
        assertThat(task.isRunning()).isFalse();
        assertThat(runs).hasValue(1);
        task.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> runs.get() == 2);
        assertThat(task.isRunning()).isTrue();
    }
}

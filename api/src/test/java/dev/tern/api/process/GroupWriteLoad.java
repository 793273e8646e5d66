package dev.tern.api.process;

import dev.tern.api.support.TestHttp;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Several REST clients, each creating groups one after the other ({@code <prefix>-<client>-<n>}) until stopped, and
 * what each request got: acknowledged (2xx, with the id), answered otherwise (status and body), or no answer at all
 * (connection refused or reset: the client cannot know whether the write happened).
 */
final class GroupWriteLoad implements AutoCloseable {
    /** What one answered request got. */
    record Answer(String name, int status, String body, List<String> retryAfter) {
    }

    final Map<String, String> acknowledged = new ConcurrentHashMap<>();
    final List<Answer> refused = new CopyOnWriteArrayList<>();
    final List<String> unanswered = new CopyOnWriteArrayList<>();
    private final AtomicBoolean stop = new AtomicBoolean();
    private final ExecutorService clients;

    GroupWriteLoad(int clientCount, String prefix, TestHttp http, String token) {
        clients = Executors.newFixedThreadPool(clientCount);
        for (int c = 0; c < clientCount; c++) {
            int client = c;
            clients.execute(() -> {
                for (int n = 0; !stop.get(); n++) {
                    String name = prefix + "-" + client + "-" + n;
                    try {
                        TestHttp.Response r = http.post("/api/groups", token, Map.of("name", name));
                        if (r.isSuccess()) {
                            acknowledged.put(name, r.json().get("id").asText());
                        } else {
                            refused.add(new Answer(name, r.status(), r.body(),
                                    r.headers().getOrDefault("retry-after", List.of())));
                            pause();
                        }
                    } catch (RuntimeException noAnswer) {
                        unanswered.add(name);
                        pause();
                    }
                }
            });
        }
    }

    /** Stops the clients and waits for their last requests. */
    void stop() throws InterruptedException {
        stop.set(true);
        clients.shutdown();
        if (!clients.awaitTermination(90, TimeUnit.SECONDS)) {
            throw new AssertionError("the load's clients did not stop");
        }
    }

    /** Every name a request was sent for that did not end in a refusal: acknowledged or unanswered. */
    List<String> possiblyWritten() {
        List<String> names = new ArrayList<>(acknowledged.keySet());
        names.addAll(unanswered);
        return names;
    }

    private static void pause() {
        try {
            Thread.sleep(100); // a client backing off, not hammering a server that is down
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (!stop.get()) {
            stop();
        }
    }
}

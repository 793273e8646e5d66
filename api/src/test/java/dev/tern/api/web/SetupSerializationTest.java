package dev.tern.api.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.api.commands.AccountSetupService;
import dev.tern.api.commands.CommandService;
import dev.tern.events.CommandRejected;
import dev.tern.events.commands.CreateAccount;
import dev.tern.events.commands.CreatePersonalAccessToken;
import dev.tern.events.values.Cidr;
import dev.tern.query.ReadYourWrites;
import dev.tern.query.users.SetupReads;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.axonframework.commandhandling.CommandMessage;
import org.axonframework.commandhandling.gateway.CommandGateway;
import org.junit.jupiter.api.Test;

/**
 * Concurrent first setups on a fresh instance: exactly one creates an account, the rest get 412. Runs without a
 * server because the shared integration server is set up once, before any test could race on it.
 */
class SetupSerializationTest {

    @Test
    void concurrentSetupsCreateExactlyOneAccount() throws Exception {
        AtomicBoolean ownerExists = new AtomicBoolean(false);
        List<Object> sent = new CopyOnWriteArrayList<>();
        SetupReads readModel = (SetupReads) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[]{SetupReads.class}, (proxy, method, args) -> {
                    if (method.getName().equals("setupRequired")) {
                        return !ownerExists.get();
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
        CommandGateway gateway = (CommandGateway) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[]{CommandGateway.class}, (proxy, method, args) -> {
                    if (method.getName().equals("sendAndWait")) {
                        Object payload = ((CommandMessage<?>) args[0]).getPayload();
                        sent.add(payload);
                        Thread.sleep(5); // widen the window a check-then-act race would need
                        return null;
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
        // The read model sees the owner only once it has caught up, as in the real server.
        ReadYourWrites catchUp = timeout -> {
            ownerExists.set(sent.stream().anyMatch(c -> c instanceof CreateAccount));
            return true;
        };
        // Across nodes the database makes setup exclusive (SetupAcrossNodesTest); here only this process's lock.
        AccountSetupService setup = new AccountSetupService(readModel, new CommandService(gateway, catchUp),
                "mesh.test", java.util.function.Supplier::get, "16");

        int racers = 16;
        ExecutorService pool = Executors.newFixedThreadPool(racers);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<AccountSetupService.SetupResult>> results = new CopyOnWriteArrayList<>();
        try {
            for (int i = 0; i < racers; i++) {
                String email = "owner" + i + "@tern.test";
                results.add(pool.submit(() -> {
                    start.await();
                    return setup.setup(email, "Owner", 1, "127.0.0.1");
                }));
            }
            start.countDown();
            int ok = 0;
            int refused = 0;
            for (Future<AccountSetupService.SetupResult> f : results) {
                try {
                    AccountSetupService.SetupResult r = f.get();
                    assertThat(r.plainToken()).startsWith("nbp_");
                    assertThat(r.toString()).doesNotContain(r.plainToken());
                    ok++;
                } catch (java.util.concurrent.ExecutionException e) {
                    assertThat(e.getCause()).isInstanceOfSatisfying(CommandRejected.class, rejected ->
                            assertThat(rejected.reason()).isEqualTo(CommandRejected.Reason.PRECONDITION_FAILED));
                    refused++;
                }
            }
            assertThat(ok).isEqualTo(1);
            assertThat(refused).isEqualTo(racers - 1);
        } finally {
            pool.shutdownNow();
        }
        assertThat(sent.stream().filter(c -> c instanceof CreateAccount).count()).isEqualTo(1);
        assertThat(sent.stream().filter(c -> c instanceof CreatePersonalAccessToken).count()).isEqualTo(1);
        CreateAccount account = (CreateAccount) sent.stream().filter(c -> c instanceof CreateAccount).findFirst()
                .orElseThrow();
        assertThat(account.dnsDomain()).isEqualTo("mesh.test");
        assertThat(account.network().prefixLength()).isEqualTo(16);
        assertThat(new Cidr("100.64.0.0", 10).contains(account.network())).isTrue();
        assertThat(setup.setupRequired()).isFalse();
    }
}

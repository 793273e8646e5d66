package dev.tern.api.expiry;

import dev.tern.query.peers.DuePeer;
import dev.tern.query.peers.ExpiryReads;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.List;

/**
 * The real read model with the due peers of every other account left out, so a sweeper under test on the shared
 * server touches only its own test account.
 */
final class OneAccountReads {
    private OneAccountReads() {
    }

    static ExpiryReads of(ExpiryReads reads, String accountId) {
        return (ExpiryReads) Proxy.newProxyInstance(OneAccountReads.class.getClassLoader(),
                new Class<?>[]{ExpiryReads.class}, (proxy, method, args) -> {
                    try {
                        Object result = method.invoke(reads, args);
                        if (result instanceof List<?> list) {
                            return list.stream()
                                    .filter(row -> !(row instanceof DuePeer due) || due.accountId().equals(accountId))
                                    .toList();
                        }
                        return result;
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }
}

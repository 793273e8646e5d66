package dev.tern.command;

import dev.tern.events.CommandRejected;
import org.axonframework.common.caching.Cache;
import org.axonframework.messaging.unitofwork.DefaultUnitOfWork;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

class AccountCacheTest {

    @Test
    void evictsTheLeastRecentlyUsedAccountBeyondCapacity() {
        AccountCache cache = new AccountCache(2);
        List<Object> expired = new CopyOnWriteArrayList<>();
        cache.registerCacheEntryListener(new Cache.EntryListenerAdapter() {
            @Override
            public void onEntryExpired(Object key) {
                expired.add(key);
            }
        });
        cache.put("a", "account a");
        cache.put("b", "account b");
        assertThat((String) cache.get("a")).isEqualTo("account a"); // a is now more recent than b
        cache.put("c", "account c");
        assertThat(cache.containsKey("a")).isTrue();
        assertThat(cache.containsKey("b")).isFalse();
        assertThat(cache.containsKey("c")).isTrue();
        assertThat(expired).containsExactly("b");
    }

    @Test
    void keepsEntriesThroughGarbageCollection() {
        // the reason this is not Axon's WeakReferenceCache: Axon puts a fresh wrapper per commit, held by nothing else
        AccountCache cache = new AccountCache(4);
        cache.put("a", new Object());
        for (int i = 0; i < 100; i++) {
            byte[] garbage = new byte[1 << 20];
            garbage[i] = 1;
        }
        System.gc();
        assertThat(cache.containsKey("a")).isTrue();
    }

    @Test
    void putIfAbsentKeepsTheFirstAndRemoveForgets() {
        AccountCache cache = new AccountCache(4);
        assertThat(cache.putIfAbsent("a", "first")).isTrue();
        assertThat(cache.putIfAbsent("a", "second")).isFalse();
        assertThat((String) cache.get("a")).isEqualTo("first");
        assertThat(cache.remove("a")).isTrue();
        assertThat(cache.remove("a")).isFalse();
        assertThat((Object) cache.get("a")).isNull();
    }

    @Test
    void computeIfPresentReplacesOrDropsAndComputeIfAbsentFills() {
        AccountCache cache = new AccountCache(4);
        assertThat(cache.<String>computeIfAbsent("a", () -> "v1")).isEqualTo("v1");
        assertThat(cache.<String>computeIfAbsent("a", () -> "other")).isEqualTo("v1");
        cache.<String>computeIfPresent("a", v -> v + "+");
        assertThat((String) cache.get("a")).isEqualTo("v1+");
        cache.<String>computeIfPresent("a", v -> null);
        assertThat(cache.containsKey("a")).isFalse();
        cache.put("x", 1);
        cache.put("y", 2);
        cache.removeAll();
        assertThat(cache.size()).isZero();
    }

    @Test
    void aRollbackCausedByARejectionKeepsTheAccountCached() {
        AccountCache cache = new AccountCache(4);
        cache.put("a", "account a");
        DefaultUnitOfWork<?> unitOfWork = DefaultUnitOfWork.startAndGet(null);
        unitOfWork.onRollback(u -> cache.remove("a"));
        unitOfWork.rollback(CommandRejected.forbidden("key used up"));
        assertThat(cache.containsKey("a")).isTrue();
    }

    @Test
    void aRollbackForAnyOtherReasonDropsTheAccount() {
        AccountCache cache = new AccountCache(4);
        cache.put("a", "account a");
        DefaultUnitOfWork<?> unitOfWork = DefaultUnitOfWork.startAndGet(null);
        unitOfWork.onRollback(u -> cache.remove("a"));
        unitOfWork.rollback(new IllegalStateException("sequence taken by another node"));
        assertThat(cache.containsKey("a")).isFalse();
    }
}

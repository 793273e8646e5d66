package dev.tern.events;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What one in-memory fold does with each kind of {@link AccountEvent}, complete by construction: {@link
 * Builder#build} refuses a table that leaves out one of the sealed interface's permitted types, so a new event can
 * never be dropped silently by a fold that was written before it (as an {@code instanceof} chain would). A fold
 * that has nothing to do with an event says so with {@link Builder#ignore}. Folds keep their table in a static
 * field, so an incomplete table fails the class's initialisation and with it every test that touches the fold.
 *
 * <p>Java 17 has no pattern matching in {@code switch} (preview only), hence a table rather than an exhaustive
 * switch.
 *
 * @param <T> what the fold changes
 */
public final class AccountEventDispatch<T> {
    /** A fold's reaction to events of one type. */
    @FunctionalInterface
    public interface Handler<T, E extends AccountEvent> {
        void apply(T target, E event);
    }

    /**
     * Users, their personal access tokens and how they sign in (identity providers, JWT group settings): who may
     * manage the account, never part of its network. A fold of the network ignores them as one family; a new user,
     * token or sign-in event belongs here.
     */
    public static final List<Class<? extends AccountEvent>> USER_EVENTS = List.of(UserCreated.class,
            UserRoleChanged.class, UserBlocked.class, UserUnblocked.class, UserAutoGroupsChanged.class,
            UserDeleted.class, PersonalAccessTokenCreated.class, PersonalAccessTokenDeleted.class,
            UserSignedIn.class, UserSignInFailed.class, UserInviteCreated.class, UserInviteRegenerated.class,
            UserInviteDeleted.class, UserInviteAccepted.class, UserPasswordChanged.class,
            IdentityProviderCreated.class, IdentityProviderUpdated.class, IdentityProviderDeleted.class,
            JwtGroupSettingsUpdated.class);

    /**
     * Setup keys: how devices join (a registration names its key), never part of the network itself. A new setup
     * key event belongs here.
     */
    public static final List<Class<? extends AccountEvent>> SETUP_KEY_EVENTS = List.of(SetupKeyCreated.class,
            SetupKeyRevoked.class, SetupKeyAutoGroupsChanged.class, SetupKeyDeleted.class);

    /**
     * Private DNS: settings, nameserver groups, custom zones and their records. They change the DNS part of network
     * maps only; a fold of anything else ignores them as one family. A new DNS event belongs here.
     */
    public static final List<Class<? extends AccountEvent>> DNS_EVENTS = List.of(DnsSettingsUpdated.class,
            NameServerGroupCreated.class, NameServerGroupUpdated.class, NameServerGroupDeleted.class,
            DnsZoneCreated.class, DnsZoneUpdated.class, DnsZoneDeleted.class,
            DnsRecordCreated.class, DnsRecordUpdated.class, DnsRecordDeleted.class);

    /**
     * Routes: what peers route beyond the mesh. A fold that keeps no routes (the point-in-time view of peers and
     * policies) ignores them as one family; a new route event belongs here.
     */
    public static final List<Class<? extends AccountEvent>> ROUTE_EVENTS = List.of(RouteCreated.class,
            RouteUpdated.class, RouteDeleted.class);

    /**
     * Networks with their resources and routers. A fold that does not model them (yet: the network maps) ignores
     * them as one family; a new network event belongs here.
     */
    public static final List<Class<? extends AccountEvent>> NETWORK_EVENTS = List.of(NetworkCreated.class,
            NetworkUpdated.class, NetworkDeleted.class, NetworkResourceCreated.class, NetworkResourceUpdated.class,
            NetworkResourceDeleted.class, NetworkRouterCreated.class, NetworkRouterUpdated.class,
            NetworkRouterDeleted.class);

    private static final Handler<Object, AccountEvent> IGNORE = (target, event) -> {
    };

    private final Map<Class<?>, Handler<T, AccountEvent>> handlers;

    private AccountEventDispatch(Map<Class<?>, Handler<T, AccountEvent>> handlers) {
        this.handlers = handlers;
    }

    public static <T> Builder<T> builder() {
        return new Builder<>();
    }

    /** Every permitted event type: the facts a fold must say something about. */
    public static Set<Class<?>> eventTypes() {
        return Set.of(AccountEvent.class.getPermittedSubclasses());
    }

    /** Applies the event's handler (nothing for an ignored type). */
    public void apply(T target, AccountEvent event) {
        handlers.get(event.getClass()).apply(target, event);
    }

    /** The types the table reacts to with a handler, that is neither ignored nor missing. */
    public Set<Class<?>> handledTypes() {
        Set<Class<?>> handled = new HashSet<>();
        handlers.forEach((type, handler) -> {
            if (handler != IGNORE) {
                handled.add(type);
            }
        });
        return handled;
    }

    public static final class Builder<T> {
        private final Map<Class<?>, Handler<T, AccountEvent>> handlers = new IdentityHashMap<>();
        private final List<String> problems = new ArrayList<>();

        private Builder() {
        }

        @SuppressWarnings("unchecked")
        public <E extends AccountEvent> Builder<T> on(Class<E> type, Handler<T, E> handler) {
            put(type, (Handler<T, AccountEvent>) handler);
            return this;
        }

        /** One handler for a family of events (e.g. {@link #DNS_EVENTS}), each type given to it as it is. */
        public Builder<T> onEach(Collection<Class<? extends AccountEvent>> types, Handler<T, AccountEvent> handler) {
            types.forEach(type -> put(type, handler));
            return this;
        }

        @SafeVarargs
        @SuppressWarnings("unchecked")
        public final Builder<T> ignore(Class<? extends AccountEvent>... types) {
            Arrays.stream(types).forEach(type -> put(type, (Handler<T, AccountEvent>) (Handler<?, ?>) IGNORE));
            return this;
        }

        /** Ignores a family of events ({@link #USER_EVENTS}, {@link #SETUP_KEY_EVENTS}, {@link #DNS_EVENTS}). */
        @SuppressWarnings("unchecked")
        public Builder<T> ignore(Collection<Class<? extends AccountEvent>> types) {
            return ignore(types.toArray(Class[]::new));
        }

        private void put(Class<?> type, Handler<T, AccountEvent> handler) {
            if (handlers.put(type, handler) != null) {
                problems.add(type.getSimpleName() + " is given twice");
            }
        }

        /** The table; refuses one that misses a permitted event type or names one twice. */
        public AccountEventDispatch<T> build() {
            List<String> missing = eventTypes().stream().filter(type -> !handlers.containsKey(type))
                    .map(Class::getSimpleName).sorted().toList();
            if (!missing.isEmpty()) {
                problems.add("no handler and not ignored: " + String.join(", ", missing));
            }
            if (!problems.isEmpty()) {
                throw new IllegalStateException("incomplete account event dispatch: " + String.join("; ", problems));
            }
            return new AccountEventDispatch<>(new IdentityHashMap<>(handlers));
        }
    }
}

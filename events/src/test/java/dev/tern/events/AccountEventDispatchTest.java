package dev.tern.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tern.events.values.GroupIssuer;
import java.io.File;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class AccountEventDispatchTest {

    @Test
    void everyEventRecordOfThisModuleIsAPermittedAccountEvent() throws Exception {
        // the sealed list is the facts' single register: no event record may stand outside it
        File dir = new File(AccountEvent.class.getResource("AccountEvent.class").toURI()).getParentFile();
        List<Class<?>> records = new ArrayList<>();
        for (String file : dir.list((d, name) -> name.endsWith(".class") && !name.contains("$"))) {
            Class<?> type = Class.forName("dev.tern.events." + file.substring(0, file.length() - ".class".length()));
            if (type.isRecord()) {
                records.add(type);
            }
        }
        assertThat(AccountEvent.class.isSealed()).isTrue();
        assertThat(records).hasSizeGreaterThan(30);
        assertThat(AccountEventDispatch.eventTypes()).containsExactlyInAnyOrderElementsOf(records);
    }

    @Test
    void aTableThatLeavesAnEventTypeOutIsRefusedNamingIt() {
        AccountEventDispatch.Builder<List<String>> builder = AccountEventDispatch.builder();
        builder.on(GroupCreated.class, (seen, e) -> seen.add(e.name()));
        Set<Class<? extends AccountEvent>> others = Arrays.stream(AccountEvent.class.getPermittedSubclasses())
                .filter(type -> type != GroupCreated.class && type != UserDeleted.class)
                .map(type -> type.asSubclass(AccountEvent.class)).collect(Collectors.toSet());
        others.forEach(builder::ignore);

        assertThatThrownBy(builder::build).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("UserDeleted").hasMessageNotContaining("GroupCreated");
    }

    @Test
    void aTypeGivenTwiceIsRefused() {
        AccountEventDispatch.Builder<List<String>> builder = AccountEventDispatch.builder();
        builder.ignore(AccountEvent.class.getPermittedSubclasses()[0].asSubclass(AccountEvent.class));
        builder.ignore(AccountEvent.class.getPermittedSubclasses()[0].asSubclass(AccountEvent.class));
        assertThatThrownBy(builder::build).hasMessageContaining("twice");
    }

    @Test
    void aCompleteTableAppliesTheHandlerOfTheEventsTypeAndNothingForIgnoredOnes() {
        AccountEventDispatch.Builder<List<String>> builder = AccountEventDispatch.builder();
        builder.on(GroupCreated.class, (seen, e) -> seen.add("created " + e.name()));
        builder.on(GroupDeleted.class, (seen, e) -> seen.add("deleted " + e.name()));
        Arrays.stream(AccountEvent.class.getPermittedSubclasses())
                .filter(type -> type != GroupCreated.class && type != GroupDeleted.class)
                .forEach(type -> builder.ignore(type.asSubclass(AccountEvent.class)));
        AccountEventDispatch<List<String>> dispatch = builder.build();

        List<String> seen = new ArrayList<>();
        dispatch.apply(seen, new GroupCreated("a", "g", "dev", GroupIssuer.API));
        dispatch.apply(seen, new UserDeleted("a", "u"));
        dispatch.apply(seen, new GroupDeleted("a", "g", "dev"));

        assertThat(seen).containsExactly("created dev", "deleted dev");
        assertThat(dispatch.handledTypes()).containsExactlyInAnyOrder(GroupCreated.class, GroupDeleted.class);
    }

    @Test
    void theAllGroupIsTheFirstGroupNamedAllAndItsNameIsReservedInAnyCase() {
        GroupCreated all = new GroupCreated("a", "g1", "All", GroupIssuer.API);
        assertThat(AllGroup.isCreatedBy(all, false)).isTrue();
        assertThat(AllGroup.isCreatedBy(all, true)).isFalse();
        assertThat(AllGroup.isCreatedBy(new GroupCreated("a", "g2", "all", GroupIssuer.API), false)).isFalse();
        assertThat(AllGroup.isReservedName("aLL")).isTrue();
        assertThat(AllGroup.isReservedName("Allies")).isFalse();
    }

    @Test
    void theUserAndSetupKeyFamiliesAreDisjointPermittedTypesOfTheirSubject() {
        assertThat(AccountEventDispatch.USER_EVENTS).doesNotHaveDuplicates()
                .doesNotContainAnyElementsOf(AccountEventDispatch.SETUP_KEY_EVENTS)
                .allSatisfy(type -> assertThat(type.getSimpleName())
                        .matches("(User|PersonalAccessToken|IdentityProvider|JwtGroupSettings).*"));
        assertThat(AccountEventDispatch.SETUP_KEY_EVENTS).doesNotHaveDuplicates()
                .allSatisfy(type -> assertThat(type.getSimpleName()).startsWith("SetupKey"));
        // every event about a user, a token, how users sign in or a setup key is in its family, so a fold ignoring
        // the family ignores all of them knowingly
        assertThat(AccountEventDispatch.eventTypes()).filteredOn(type -> type.getSimpleName()
                        .matches("(User|PersonalAccessToken|IdentityProvider|JwtGroupSettings|SetupKey).*"))
                .containsExactlyInAnyOrderElementsOf(java.util.stream.Stream.concat(
                        AccountEventDispatch.USER_EVENTS.stream(), AccountEventDispatch.SETUP_KEY_EVENTS.stream())
                        .toList());
    }
}

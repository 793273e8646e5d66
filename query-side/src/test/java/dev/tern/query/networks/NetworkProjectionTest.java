package dev.tern.query.networks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.events.NetworkCreated;
import dev.tern.events.NetworkDeleted;
import dev.tern.events.NetworkResourceCreated;
import dev.tern.events.NetworkResourceDeleted;
import dev.tern.events.NetworkRouterCreated;
import dev.tern.events.NetworkRouterDeleted;
import dev.tern.events.NetworkUpdated;
import dev.tern.events.values.Cidr;
import dev.tern.events.values.Ids;
import dev.tern.events.values.NetworkResourceDefinition;
import dev.tern.events.values.NetworkRouterDefinition;
import dev.tern.query.AccountHistory;
import dev.tern.query.ReadModelTestBase;
import dev.tern.query.audit.AuditEntry;
import dev.tern.query.audit.AuditQuery;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/** Networks, resources and routers as {@code NetworkProjection} keeps them, and their NetBird audit activities. */
class NetworkProjectionTest extends ReadModelTestBase {
    @Autowired
    NetworkReads networkReads;

    @Test
    void networksHoldTheirResourcesAndRoutersAndEveryChangeIsAudited() {
        AccountHistory account = newAccount();
        String devs = account.createGroup("devs");
        String router = account.registerPeer("router", null);
        String network = Ids.newId();
        String resource = Ids.newId();
        String routerId = Ids.newId();
        NetworkResourceDefinition lab = new NetworkResourceDefinition("lab", "", "10.10.10.0/24",
                NetworkResourceDefinition.SUBNET, Cidr.parse("10.10.10.0/24"), null, true, List.of(devs));
        NetworkRouterDefinition via = new NetworkRouterDefinition(router, List.of(), 10, true, true);
        account.append(new NetworkCreated(account.accountId, network, "site", "the site"));
        account.append(new NetworkUpdated(account.accountId, network, "site-a", "the site"));
        account.append(new NetworkResourceCreated(account.accountId, network, resource, lab));
        account.append(new NetworkRouterCreated(account.accountId, network, routerId, via));
        awaitProjection();

        assertThat(networkReads.network(account.accountId, network)).hasValue(new NetworkView(network,
                account.accountId, "site-a", "the site", List.of(resource), List.of(routerId)));
        assertThat(networkReads.resources(account.accountId, network))
                .containsExactly(new NetworkView.Resource(resource, network, lab));
        assertThat(networkReads.router(account.accountId, network, routerId))
                .hasValue(new NetworkView.Router(routerId, network, via));
        assertThat(networkReads.network(newAccount().accountId, network)).isEmpty();

        String ops = account.createGroup("ops");
        account.append(new dev.tern.events.NetworkResourceUpdated(account.accountId, network, resource,
                new NetworkResourceDefinition("lab", "", "10.10.10.0/24", NetworkResourceDefinition.SUBNET,
                        Cidr.parse("10.10.10.0/24"), null, true, List.of(ops))));
        awaitProjection();
        assertThat(auditReads.audit(account.accountId, new AuditQuery(null, null, null, resource, null, 0, 100))
                .entries()).extracting(AuditEntry::activityCode, e -> e.meta().get("group_name"))
                .containsExactly(org.assertj.core.groups.Tuple.tuple("resource.group.delete", "devs"),
                        org.assertj.core.groups.Tuple.tuple("resource.group.add", "ops"),
                        org.assertj.core.groups.Tuple.tuple("network.resource.update", null),
                        org.assertj.core.groups.Tuple.tuple("resource.group.add", "devs"),
                        org.assertj.core.groups.Tuple.tuple("network.resource.create", null));

        account.append(new NetworkResourceDeleted(account.accountId, network, resource, "lab"));
        account.append(new NetworkRouterDeleted(account.accountId, network, routerId));
        account.append(new NetworkDeleted(account.accountId, network, "site-a"));
        awaitProjection();
        assertThat(networkReads.networks(account.accountId)).isEmpty();
        assertThat(networkReads.allRouters(account.accountId)).isEmpty();

        List<AuditEntry> entries = auditReads.audit(account.accountId,
                new AuditQuery(null, null, null, null, null, 0, 100)).entries();
        assertThat(entries).extracting(AuditEntry::activityCode).filteredOn(code -> code.startsWith("network."))
                .startsWith("network.delete", "network.router.delete", "network.resource.delete",
                        "network.resource.update", "network.router.create", "network.resource.create",
                        "network.update", "network.create");
        assertThat(entries).filteredOn(e -> e.activityCode().equals("network.resource.create")).singleElement()
                .satisfies(e -> assertThat(e.meta()).containsEntry("address", "10.10.10.0/24")
                        .containsEntry("type", "subnet").containsEntry("network_name", "site-a"));
    }
}

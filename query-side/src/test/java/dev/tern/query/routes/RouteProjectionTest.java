package dev.tern.query.routes;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.events.RouteCreated;
import dev.tern.events.RouteDeleted;
import dev.tern.events.RouteUpdated;
import dev.tern.events.values.Cidr;
import dev.tern.events.values.Ids;
import dev.tern.events.values.RouteDefinition;
import dev.tern.query.AccountHistory;
import dev.tern.query.ReadModelTestBase;
import dev.tern.query.audit.AuditEntry;
import dev.tern.query.audit.AuditQuery;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/** Routes as {@code RouteProjection} keeps them, and their NetBird audit activities. */
class RouteProjectionTest extends ReadModelTestBase {
    @Autowired
    RouteReads routeReads;

    @Test
    void routesAreKeptReplacedAndDeletedAndAudited() {
        AccountHistory account = newAccount();
        String devs = account.createGroup("devs");
        String router = account.registerPeer("router", null);
        String routeId = Ids.newId();
        RouteDefinition site = new RouteDefinition("the lab", "lab", true, router, List.of(),
                Cidr.parse("10.10.10.0/24"), List.of(), 100, true, List.of(devs), false, List.of(), false);
        account.append(new RouteCreated(account.accountId, routeId, site));
        awaitProjection();
        assertThat(routeReads.route(account.accountId, routeId)).hasValue(new RouteView(routeId, account.accountId,
                site));
        assertThat(routeReads.route(newAccount().accountId, routeId)).isEmpty();

        RouteDefinition corp = new RouteDefinition("", "corp", false, null, List.of(devs), null,
                List.of("corp.example"), 9, false, List.of(devs), true, List.of(devs), false);
        account.append(new RouteUpdated(account.accountId, routeId, corp));
        awaitProjection();
        assertThat(routeReads.routes(account.accountId)).extracting(RouteView::definition).containsExactly(corp);

        account.append(new RouteDeleted(account.accountId, routeId, "corp"));
        awaitProjection();
        assertThat(routeReads.routes(account.accountId)).isEmpty();

        List<AuditEntry> entries = auditReads.audit(account.accountId,
                new AuditQuery(null, null, null, routeId, null, 0, 100)).entries();
        assertThat(entries).extracting(AuditEntry::activityCode)
                .containsExactly("route.delete", "route.update", "route.add");
        assertThat(entries.get(2).activity()).isEqualTo("Route created");
        assertThat(entries.get(2).meta()).containsEntry("name", "lab").containsEntry("network_range", "10.10.10.0/24")
                .containsEntry("peer_id", router);
        // the deleted route's entry still names what it routed: the audit runs before the table forgets it
        assertThat(entries.get(0).meta()).containsEntry("name", "corp").containsEntry("domains", "corp.example")
                .containsEntry("network_range", "192.0.2.0/32").containsEntry("peer_groups", devs);
    }
}

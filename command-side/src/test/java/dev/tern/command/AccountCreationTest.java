package dev.tern.command;

import dev.tern.events.AccountCreated;
import dev.tern.events.GroupCreated;
import dev.tern.events.UserCreated;
import dev.tern.events.commands.CreateAccount;
import dev.tern.events.values.Cidr;
import dev.tern.events.values.GroupIssuer;
import dev.tern.events.values.UserRole;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;

import static dev.tern.events.CommandRejected.Reason.INVALID;

class AccountCreationTest extends AccountFixtureSupport {

    private static CreateAccount create(Cidr network, String domain) {
        return new CreateAccount(ACC, network, domain, OWNER, OWNER_EMAIL, "Owner", ALL);
    }

    @Test
    void creatingAnAccountEmitsTheAccountTheAllGroupAndTheOwner() {
        fixture.givenCurrentTime(NOW)
                .when(create(NETWORK, "Tern.Internal"))
                .expectSuccessfulHandlerExecution()
                .expectEvents(
                        new AccountCreated(ACC, NETWORK, "tern.internal", NOW),
                        new GroupCreated(ACC, ALL, "All", GroupIssuer.API),
                        new UserCreated(ACC, OWNER, OWNER_EMAIL, "Owner", UserRole.OWNER, false, List.of(), NOW));
    }

    @ParameterizedTest
    @ValueSource(strings = {"100.64.0.0/15", "100.64.0.0/31", "100.64.0.0/32", "10.0.0.0/16", "100.128.0.0/16",
            "100.63.0.0/16", "10.0.0.0/29"})
    void anAccountNetworkMustBeASlash16ToASlash30InsideTheCgnatRange(String network) {
        fixture.givenNoPriorActivity()
                .when(create(Cidr.parse(network), DOMAIN))
                .expectException(rejected(INVALID, "must be a /16 to /30 inside 100.64.0.0/10"))
                .expectNoEvents();
    }

    @ParameterizedTest
    @ValueSource(strings = {"100.64.0.0/24", "100.100.7.248/29", "100.127.255.252/30"})
    void aSmallerAccountNetworkInsideTheCgnatRangeIsAccepted(String network) {
        fixture.givenCurrentTime(NOW)
                .when(create(Cidr.parse(network), DOMAIN))
                .expectSuccessfulHandlerExecution();
    }

    @Test
    void theLastSlash16OfTheCgnatRangeIsAccepted() {
        Cidr last = Cidr.parse("100.127.0.0/16");
        fixture.givenCurrentTime(NOW)
                .when(create(last, DOMAIN))
                .expectSuccessfulHandlerExecution();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "-tern.internal", "tern..internal", "tern_internal", "tern.internal-", "a b"})
    void aDnsDomainMustBeAValidDnsName(String domain) {
        fixture.givenNoPriorActivity()
                .when(create(NETWORK, domain))
                .expectException(rejected(INVALID, "DNS domain"))
                .expectNoEvents();
    }

    @Test
    void aMissingNetworkIsInvalid() {
        fixture.givenNoPriorActivity()
                .when(create(null, DOMAIN))
                .expectException(rejected(INVALID, "network is missing"))
                .expectNoEvents();
    }

    @Test
    void theOwnerNeedsAValidEmail() {
        fixture.givenNoPriorActivity()
                .when(new CreateAccount(ACC, NETWORK, DOMAIN, OWNER, "not-an-email", "Owner", ALL))
                .expectException(rejected(INVALID, "not a valid e-mail"))
                .expectNoEvents();
    }
}

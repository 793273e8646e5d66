package dev.tern.events.values;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Which networks an account may move to, as the REST edge and the account both check them. */
class AccountNetworkRangeTest {

    @Test
    void aRangeIsReadAsNetBirdReadsItWithItsHostBitsCleared() {
        assertThat(AccountNetworkRange.parse(" 10.1.2.3/16 ")).isEqualTo(new Cidr("10.1.0.0", 16));
        assertThat(AccountNetworkRange.parse("192.168.7.17/28")).isEqualTo(new Cidr("192.168.7.16", 28));
        for (String bad : List.of("", "10.1.2.3", "10.1.2.3/33", "fd00::/64", "10.1.2/16", "ten/8", "10.0.0.0/x")) {
            assertThatThrownBy(() -> AccountNetworkRange.parse(bad)).as(bad).isInstanceOf(InvalidValueException.class);
        }
    }

    @Test
    void privateAndCgnatRangesFromASlash16ToASlash28WithRoomForThePeersAreAccepted() {
        for (String ok : List.of("10.20.0.0/16", "172.31.255.0/24", "192.168.0.0/16", "100.127.255.240/28")) {
            assertThat(AccountNetworkRange.checked(Cidr.parse(ok), 0)).as(ok).isEqualTo(Cidr.parse(ok));
        }
        // 100 peers need 150 addresses: a /24 (254) holds them, a /25 (126) does not
        assertThat(AccountNetworkRange.checked(Cidr.parse("10.0.0.0/24"), 100)).isEqualTo(Cidr.parse("10.0.0.0/24"));
        assertThatThrownBy(() -> AccountNetworkRange.checked(Cidr.parse("10.0.0.0/25"), 100))
                .hasMessage("network range too small: need at least 150 addresses for 100 peers + buffer, but "
                        + "10.0.0.0/25 provides 126");
    }

    @Test
    void publicLoopbackLinkLocalAndMulticastRangesAndWrongSizesAreRefused() {
        for (String outside : List.of("8.8.8.0/24", "127.0.0.0/16", "169.254.0.0/16", "224.0.0.0/24",
                "172.32.0.0/16", "100.128.0.0/16", "11.0.0.0/16")) {
            assertThatThrownBy(() -> AccountNetworkRange.checked(Cidr.parse(outside), 0)).as(outside)
                    .hasMessageContaining("must lie inside a private range");
        }
        for (String size : List.of("10.0.0.0/8", "10.0.0.0/15", "10.0.0.0/29", "10.0.0.0/32")) {
            assertThatThrownBy(() -> AccountNetworkRange.checked(Cidr.parse(size), 0)).as(size)
                    .hasMessageContaining("must be a /16 to a /28");
        }
    }
}

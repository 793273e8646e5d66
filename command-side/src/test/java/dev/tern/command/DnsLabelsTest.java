package dev.tern.command;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

class DnsLabelsTest {

    @ParameterizedTest
    @CsvSource({
            "Work Laptop, work-laptop",
            "my.host.local, my-host-local",
            "--edge--, edge",
            "ÄÖÜ, peer",
            "'___', peer",
            "db_01, db-01",
            "UPPER-case-9, upper-case-9"})
    void baseLabelsFollowTheHostname(String hostname, String label) {
        assertThat(DnsLabels.baseOf(hostname)).isEqualTo(label);
    }

    @Test
    void baseLabelsAreAtMost63CharsAndNeverEndInADash() {
        String hostname = "a".repeat(62) + "-b" + "c".repeat(10);
        assertThat(DnsLabels.baseOf(hostname)).isEqualTo("a".repeat(62));
        assertThat(DnsLabels.baseOf("x".repeat(100))).hasSize(63);
    }

    @Test
    void suffixedLabelsOfLongBasesStayWithin63Chars() {
        String base = "x".repeat(63);
        assertThat(DnsLabels.withSuffix(base, 12)).isEqualTo("x".repeat(60) + "-12").hasSize(63);
    }

    @Test
    void proposesTheLowestFreeSuffix() {
        DnsLabels labels = new DnsLabels();
        assertThat(labels.propose("web", null)).isEqualTo("web");
        labels.take("web");
        labels.take("web-1");
        labels.take("web-3");
        assertThat(labels.propose("web", null)).isEqualTo("web-2");
        labels.take("web-2");
        assertThat(labels.propose("web", null)).isEqualTo("web-4");
        labels.release("web-1");
        assertThat(labels.propose("web", null)).isEqualTo("web-1");
        labels.release("web");
        assertThat(labels.propose("web", null)).isEqualTo("web");
    }

    @Test
    void aHostnameThatLooksSuffixedDoesNotCollide() {
        DnsLabels labels = new DnsLabels();
        labels.take("web-1");
        labels.take("web");
        assertThat(labels.propose("web", null)).isEqualTo("web-2");
        assertThat(labels.propose("web-1", null)).isEqualTo("web-1-1");
    }

    @Test
    void aPeersOwnLabelCountsAsFreeWhenRenaming() {
        DnsLabels labels = new DnsLabels();
        labels.take("web");
        labels.take("web-1");
        assertThat(labels.propose("web", "web-1")).isEqualTo("web-1");
        assertThat(labels.propose("web", "other")).isEqualTo("web-2");
    }

    @Test
    void aFreedSuffixOfAShortenedLongBaseIsReused() {
        String base = "a".repeat(63);
        DnsLabels labels = new DnsLabels();
        for (int n = 0; n <= 3; n++) {
            labels.take(labels.propose(base, null));
        }
        labels.release(DnsLabels.withSuffix(base, 1));
        assertThat(labels.propose(base, null)).isEqualTo("a".repeat(61) + "-1");
    }
}

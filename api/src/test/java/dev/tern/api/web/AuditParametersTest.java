package dev.tern.api.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AuditParametersTest {

    @Test
    void parsesIsoTimesWithOffsets() {
        assertThat(AuditController.time("2024-05-01T10:00:00Z", "from")).isEqualTo(Instant.parse("2024-05-01T10:00:00Z"));
        assertThat(AuditController.time("2024-05-01T12:00:00+02:00", "from"))
                .isEqualTo(Instant.parse("2024-05-01T10:00:00Z"));
        assertThat(AuditController.time(null, "from")).isNull();
        assertThat(AuditController.time("2024-05-01T10:00:00", "from")).isEqualTo(Instant.parse("2024-05-01T10:00:00Z"));
        assertThat(AuditController.time("2024-05-01", "from")).isEqualTo(Instant.parse("2024-05-01T00:00:00Z"));
        assertThatThrownBy(() -> AuditController.time("2024-02-30", "to")).isInstanceOf(ApiException.class);
        assertThatThrownBy(() -> AuditController.time("yesterday", "from")).isInstanceOf(ApiException.class)
                .hasMessageContaining("'from'");
    }

    @Test
    void timesOutsideFourDigitYearsAre400NotAnOverflow() {
        for (String t : new String[]{"+999999999-01-01T00:00:00Z", "-999999999-01-01T00:00:00Z", "+10000-01-01",
                "10000-01-01T00:00:00", "-0001-12-31T00:00:00Z", "0000-12-31T23:59:59Z",
                "9999-12-31T23:59:59-01:00", "0001-01-01T00:00:00+01:00", "+999999999-12-31T23:59:59.999999999-18:00"}) {
            assertThatThrownBy(() -> AuditController.time(t, "from")).as(t).isInstanceOf(ApiException.class)
                    .hasMessageContaining("'from'");
        }
        assertThat(AuditController.time("0001-01-01T00:00:00Z", "to")).isEqualTo(Times.EARLIEST);
        assertThat(AuditController.time("9999-12-31T23:59:59.999999999Z", "to")).isEqualTo(Times.LATEST);
        assertThat(AuditController.time("9999-12-31", "at")).isEqualTo(Instant.parse("9999-12-31T00:00:00Z"));
    }

    @Test
    void pageParametersAreBounded() {
        assertThat(AuditController.integer(null, "page_size", 100, 1, 1000)).isEqualTo(100);
        assertThat(AuditController.integer("1000", "page_size", 100, 1, 1000)).isEqualTo(1000);
        assertThatThrownBy(() -> AuditController.integer("1001", "page_size", 100, 1, 1000))
                .isInstanceOf(ApiException.class);
        assertThatThrownBy(() -> AuditController.integer("0", "page", 1, 1, Integer.MAX_VALUE))
                .isInstanceOf(ApiException.class);
        assertThatThrownBy(() -> AuditController.integer("two", "page", 1, 1, Integer.MAX_VALUE))
                .isInstanceOf(ApiException.class).hasMessageContaining("integer");
        for (String overflow : new String[]{"2147483648", "-2147483649", "99999999999999999999", "1e3", "0x10"}) {
            assertThatThrownBy(() -> AuditController.integer(overflow, "page", 1, 1, Integer.MAX_VALUE))
                    .as(overflow).isInstanceOf(ApiException.class);
        }
    }

    @Test
    void linksKeepFiltersAndPointAtNeighbourPages() {
        Map<String, String> filters = new LinkedHashMap<>();
        filters.put("activity_code", "group.add");
        String links = AuditController.links("/api/events/audit", filters, 2, 10, 35);
        assertThat(links).contains("</api/events/audit?activity_code=group.add&page=1&page_size=10>; rel=\"first\"")
                .contains("page=1&page_size=10>; rel=\"prev\"")
                .contains("page=3&page_size=10>; rel=\"next\"")
                .contains("page=4&page_size=10>; rel=\"last\"");
        String only = AuditController.links("/api/events/audit", Map.of(), 1, 100, 0);
        assertThat(only).doesNotContain("next").doesNotContain("prev").contains("page=1&page_size=100>; rel=\"last\"");
    }
}

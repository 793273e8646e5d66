package dev.tern.api.web;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockFilterChain;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;

class CanonicalPathFilterTest {

    @Test
    void canonicalPathsPass() {
        for (String ok : new String[]{"/", "/api/setup", "/api/groups/d4k2j3l4", "/api/groups/", "/actuator/health",
                "/api/groups/%C3%A9", "/api/groups/%F0%9F%98%80", "/api/groups/%c3%a9", "/API/setup"}) {
            assertThat(CanonicalPathFilter.problem(ok)).as(ok).isNull();
        }
    }

    @Test
    void everyOtherSpellingIsRefused() {
        for (String bad : new String[]{"/api;x/setup", "/api/setup;", "/%61pi/setup", "/api/%2F", "/api%2fsetup",
                "/api/%2e/setup", "/api/%2E%2E/setup", "/api/%25", "/api/%00", "/api/%20", "//api/setup",
                "/api//setup", "/api/./setup", "/api/../setup", "/api/setup/.", "/api/setup/..", "/api\\setup",
                "/api/%", "/api/%4", "/api/%zz", "/api/%FF", "/api/%C3", "/api/%ED%A0%80", "/api/%C0%AE", "api/setup",
                ""}) {
            assertThat(CanonicalPathFilter.problem(bad)).as(bad).isNotNull();
        }
    }

    @Test
    void queryParametersFollowTheStringRules() {
        for (String ok : new String[]{null, "", "page=2&page_size=10", "name=caf%C3%A9", "from=%2B2024-01-01",
                "name=a+b", "x", "a=&b=", "activity_code='%20OR%201=1%20--", "q=%25"}) {
            assertThat(CanonicalPathFilter.queryProblem(ok)).as(ok).isNull();
        }
        for (String bad : new String[]{"target_id=%0A", "name=a%00", "name=%1B%5B31m", "name=%E2%80%AE",
                "initiator_id=%ED%A0%80", "target_id=%FF", "x=%C0%80", "x=%", "x=%4", "x=%zz", "%0A=1",
                "x=" + "y".repeat(4097)}) {
            assertThat(CanonicalPathFilter.queryProblem(bad)).as(bad).isNotNull();
        }
    }

    @Test
    void refusalIs400InNetBirdsShapeAndStopsTheChain() throws Exception {
        MockHttpServletResponse response = new MockHttpServletResponse();
        MockFilterChain chain = new MockFilterChain();
        new CanonicalPathFilter().doFilter(new MockHttpServletRequest("POST", "/api;x/setup"), response, chain);
        assertThat(response.getStatus()).isEqualTo(400);
        assertThat(response.getContentAsString()).contains("\"code\":400").contains("canonical");
        assertThat(chain.getRequest()).isNull();
    }
}

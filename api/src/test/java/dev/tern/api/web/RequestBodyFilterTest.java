package dev.tern.api.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockFilterChain;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;

class RequestBodyFilterTest {
    final RequestBodyFilter filter = new RequestBodyFilter();

    MockHttpServletResponse post(MockHttpServletRequest request, MockFilterChain chain) throws Exception {
        MockHttpServletResponse response = new MockHttpServletResponse();
        filter.doFilter(request, response, chain);
        return response;
    }

    static MockHttpServletRequest request(byte[] body, String contentType, boolean chunked) {
        MockHttpServletRequest request = new MockHttpServletRequest("POST", "/api/groups");
        request.setContent(body);
        if (contentType != null) {
            request.setContentType(contentType);
        }
        if (chunked) {
            // MockHttpServletRequest derives Content-Length from the content; a chunked request has none.
            request.addHeader("Transfer-Encoding", "chunked");
        }
        return request;
    }

    @Test
    void smallJsonBodyPassesUnchanged() throws Exception {
        byte[] body = "{\"name\":\"dev\"}".getBytes(StandardCharsets.UTF_8);
        MockFilterChain chain = new MockFilterChain();
        MockHttpServletResponse response = post(request(body, "application/json; charset=utf-8", false), chain);
        assertThat(response.getStatus()).isEqualTo(200);
        assertThat(chain.getRequest().getInputStream().readAllBytes()).isEqualTo(body);
    }

    @Test
    void bodyWithoutContentTypeIsAcceptedLikeNetBirdDoes() throws Exception {
        MockFilterChain chain = new MockFilterChain();
        post(request("{}".getBytes(StandardCharsets.UTF_8), null, false), chain);
        assertThat(chain.getRequest()).isNotNull();
    }

    @Test
    void declaredOversizedBodyIs413AndDiscardedSoItsSenderReadsTheAnswer() throws Exception {
        MockFilterChain chain = new MockFilterChain();
        MockHttpServletRequest request = request(new byte[RequestBodyFilter.MAX_BODY_BYTES + 1], "application/json",
                false);
        MockHttpServletResponse response = post(request, chain);
        assertThat(response.getStatus()).isEqualTo(413);
        assertThat(response.getContentAsString()).contains("\"code\":413");
        assertThat(response.getHeader("Connection")).isEqualTo("close");
        assertThat(chain.getRequest()).isNull();
        assertThat(request.getInputStream().read()).as("the whole body was read").isEqualTo(-1);
    }

    @Test
    void chunkedOversizedBodyIsDiscardedToTheEndToo() throws Exception {
        MockHttpServletRequest request = request(new byte[3 * RequestBodyFilter.MAX_BODY_BYTES], "application/json",
                true);
        MockHttpServletResponse response = post(request, new MockFilterChain());
        assertThat(response.getStatus()).isEqualTo(413);
        assertThat(request.getInputStream().read()).isEqualTo(-1);
    }

    @Test
    void discardingIsBounded() throws Exception {
        assertThat(RequestBodyFilter.discard(new ByteArrayInputStream(new byte[100_000]), 70_000)).isEqualTo(70_000);
        assertThat(RequestBodyFilter.discard(new ByteArrayInputStream(new byte[500]), 70_000)).isEqualTo(500);
        // A declared length beyond the bound is answered at once, without reading a byte of it.
        MockHttpServletRequest huge = new MockHttpServletRequest("POST", "/api/groups") {
            @Override
            public long getContentLengthLong() {
                return RequestBodyFilter.MAX_DISCARDED_BYTES + 1;
            }
        };
        huge.setContent(new byte[10]);
        huge.setContentType("application/json");
        MockHttpServletResponse response = post(huge, new MockFilterChain());
        assertThat(response.getStatus()).isEqualTo(413);
        assertThat(huge.getInputStream().read()).isEqualTo(0);
    }

    @Test
    void bodyOfExactlyTheLimitPasses() throws Exception {
        MockFilterChain chain = new MockFilterChain();
        MockHttpServletResponse response = post(request(new byte[RequestBodyFilter.MAX_BODY_BYTES],
                "application/json", true), chain);
        assertThat(response.getStatus()).isEqualTo(200);
        assertThat(chain.getRequest().getContentLengthLong()).isEqualTo(RequestBodyFilter.MAX_BODY_BYTES);
    }

    @Test
    void chunkedBodiesAreCounted() throws Exception {
        assertThat(RequestBodyFilter.readAtMost(new ByteArrayInputStream(new byte[10]), 10)).hasSize(10);
        assertThat(RequestBodyFilter.readAtMost(new ByteArrayInputStream(new byte[11]), 10)).isNull();
    }

    @Test
    void nulInPathOrQueryIs400() throws Exception {
        MockHttpServletRequest request = new MockHttpServletRequest("GET", "/api/events/audit");
        request.setQueryString("target_id=%00");
        MockFilterChain chain = new MockFilterChain();
        MockHttpServletResponse response = new MockHttpServletResponse();
        filter.doFilter(request, response, chain);
        assertThat(response.getStatus()).isEqualTo(400);
        assertThat(chain.getRequest()).isNull();
        assertThat(RequestBodyFilter.containsNul("/api/groups/a%00b")).isTrue();
        assertThat(RequestBodyFilter.containsNul("/api/groups/a%2500b")).isFalse();
        assertThat(RequestBodyFilter.containsNul(null)).isFalse();
    }

    @Test
    void nonJsonContentTypeIs415() throws Exception {
        MockFilterChain chain = new MockFilterChain();
        MockHttpServletResponse response = post(request("a=b".getBytes(StandardCharsets.UTF_8),
                "application/x-www-form-urlencoded", false), chain);
        assertThat(response.getStatus()).isEqualTo(415);
        assertThat(response.getContentAsString()).contains("\"code\":415").contains("application/json");
        assertThat(RequestBodyFilter.isJson("application/merge-patch+json")).isTrue();
        // The message quotes the header; a tab (legal in a header value) must not break the JSON.
        MockHttpServletResponse tabbed = post(request("a".getBytes(StandardCharsets.UTF_8), "text/plain;\tx=\"y\\",
                false), new MockFilterChain());
        assertThat(tabbed.getStatus()).isEqualTo(415);
        assertThat(new com.fasterxml.jackson.databind.ObjectMapper().readTree(tabbed.getContentAsString())
                .get("message").asText()).contains("text/plain;\tx=\"y\\");
        assertThat(RequestBodyFilter.isJson("text/plain")).isFalse();
    }
}

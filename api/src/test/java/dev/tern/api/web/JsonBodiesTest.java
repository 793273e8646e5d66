package dev.tern.api.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tern.events.values.InvalidValueException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpStatus;

class JsonBodiesTest {

    static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static void assertBadRequest(String body, Class<?> type, String messagePart) {
        assertThatThrownBy(() -> JsonBodies.read(b(body), type))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.status()).isEqualTo(HttpStatus.BAD_REQUEST);
                    assertThat(e.getMessage()).contains(messagePart);
                });
    }

    @Test
    void readsSnakeCaseFieldsAndIgnoresUnknownOnes() {
        Requests.SetupKeyCreate req = JsonBodies.read(b("""
                {"name":"k","type":"reusable","expires_in":86400,"auto_groups":["g1"],"usage_limit":10,
                 "ephemeral":true,"allow_extra_dns_labels":false,"something_new":{"x":1}}"""),
                Requests.SetupKeyCreate.class);
        assertThat(req).isEqualTo(new Requests.SetupKeyCreate("k", "reusable", 86400, java.util.List.of("g1"), 10,
                true, false));
    }

    @Test
    void missingFieldsStayNullSoRequiredCanNameThem() {
        Requests.TokenCreate req = JsonBodies.read(b("{\"name\":\"t\"}"), Requests.TokenCreate.class);
        assertThatThrownBy(() -> JsonBodies.required(req.expiresIn(), "expires_in"))
                .isInstanceOf(ApiException.class).hasMessageContaining("'expires_in' is required");
    }

    @Test
    void malformedJsonIs400() {
        assertBadRequest("{\"name\": ", Requests.TokenCreate.class, "couldn't parse JSON");
        assertBadRequest("{name: 1}", Requests.TokenCreate.class, "couldn't parse JSON");
        assertBadRequest("{\"name\":\"a\"} trailing", Requests.TokenCreate.class, "");
        assertBadRequest("", Requests.TokenCreate.class, "body is missing");
        assertBadRequest("   ", Requests.TokenCreate.class, "body is missing");
        assertBadRequest("null", Requests.TokenCreate.class, "JSON object");
        assertBadRequest("[1,2]", Requests.TokenCreate.class, "JSON object");
        assertBadRequest("\"text\"", Requests.TokenCreate.class, "");
    }

    @Test
    void wrongTypesAre400NamingTheField() {
        assertBadRequest("{\"name\": 5, \"expires_in\": 3}", Requests.TokenCreate.class, "'name'");
        assertBadRequest("{\"name\": \"a\", \"expires_in\": \"3\"}", Requests.TokenCreate.class, "'expires_in'");
        assertBadRequest("{\"name\": \"a\", \"expires_in\": 3.5}", Requests.TokenCreate.class, "expires_in");
        assertBadRequest("{\"name\": \"a\", \"expires_in\": 99999999999}", Requests.TokenCreate.class, "");
        assertBadRequest("{\"revoked\": \"true\", \"auto_groups\": []}", Requests.SetupKeyUpdate.class, "'revoked'");
        assertBadRequest("{\"revoked\": 1, \"auto_groups\": []}", Requests.SetupKeyUpdate.class, "'revoked'");
        assertBadRequest("{\"revoked\": true, \"auto_groups\": \"g1\"}", Requests.SetupKeyUpdate.class,
                "'auto_groups'");
        assertBadRequest("{\"revoked\": true, \"auto_groups\": [1]}", Requests.SetupKeyUpdate.class, "auto_groups");
        assertBadRequest("{\"name\":\"p\",\"enabled\":true,\"rules\":[{\"port_ranges\":[{\"start\":\"80\"}]}]}",
                Requests.PolicyWrite.class, "rules[0].port_ranges[0].start");
    }

    @Test
    void nulCharactersAre400BecausePostgresTextCannotHoldThem() {
        assertBadRequest("{\"name\": \"a\\u0000b\", \"expires_in\": 1}", Requests.TokenCreate.class,
                "'name': must not contain NUL");
        assertBadRequest("{\"revoked\": true, \"auto_groups\": [\"g\\u0000\"]}", Requests.SetupKeyUpdate.class,
                "NUL");
    }

    @Test
    void everyStringOfEveryBodyFollowsOneRuleSet() {
        // Control characters and line breaks (log and audit forging), wherever the string sits.
        assertBadRequest("{\"name\": \"a\\u0001b\", \"expires_in\": 1}", Requests.TokenCreate.class,
                "'name': must not contain control characters");
        assertBadRequest("{\"name\": \"a\\nb\"}", Requests.GroupWrite.class, "'name'");
        assertBadRequest("{\"name\": \"a\\u001b[31mb\"}", Requests.GroupWrite.class, "control");
        assertBadRequest("{\"name\": \"g\", \"peers\": [\"p\\r\"]}", Requests.GroupWrite.class, "peers[0]");
        assertBadRequest("{\"email\": \"a@b.c\\u0085\"}", Requests.Setup.class, "'email'");
        assertBadRequest("{\"name\":\"p\",\"rules\":[{\"name\":\"r\\t\"}]}", Requests.PolicyWrite.class,
                "rules[0].name");
        // Unpaired surrogates (not Unicode; PostgreSQL would get '?') and bidirectional overrides (spoofed names).
        assertBadRequest("{\"name\": \"a\\ud800\"}", Requests.GroupWrite.class, "surrogate");
        assertBadRequest("{\"name\": \"\\udc00\"}", Requests.GroupWrite.class, "surrogate");
        assertBadRequest("{\"name\": \"evil\\u202etxt.exe\"}", Requests.GroupWrite.class, "bidirectional");
        // Length: no string over 4096 characters anywhere, no id-like list element over 64.
        assertBadRequest("{\"name\":\"p\",\"description\":\"" + "d".repeat(4097) + "\"}",
                Requests.PolicyWrite.class, "'description': is longer than 4096");
        assertThatThrownBy(() -> JsonBodies.strings(java.util.List.of("g".repeat(65)), "auto_groups"))
                .isInstanceOf(ApiException.class).hasMessageContaining("64");
        // Descriptions alone may span lines.
        Requests.PolicyWrite multiLine = JsonBodies.read(b("{\"name\":\"p\",\"description\":\"one\\ntwo\\tthree\","
                + "\"rules\":[{\"description\":\"a\\r\\nb\"}]}"), Requests.PolicyWrite.class);
        assertThat(multiLine.description()).isEqualTo("one\ntwo\tthree");
        assertThat(multiLine.rules().get(0).description()).isEqualTo("a\r\nb");
        assertBadRequest("{\"name\":\"p\",\"description\":\"a\\u0000\"}", Requests.PolicyWrite.class, "NUL");
        // Well-formed text in any script passes unchanged.
        assertThat(JsonBodies.read(b("{\"name\": \"Büro 开发 \\ud83d\\ude00\"}"), Requests.GroupWrite.class).name())
                .isEqualTo("Büro 开发 \ud83d\ude00");
    }

    @Test
    void bodiesMustBeStrictUtf8() {
        byte[][] invalid = {
                {'{', '"', 'n', 'a', 'm', 'e', '"', ':', '"', (byte) 0xFF, '"', '}'},                 // never UTF-8
                {'{', '"', 'n', 'a', 'm', 'e', '"', ':', '"', (byte) 0xC0, (byte) 0xAE, '"', '}'},    // overlong '.'
                {'{', '"', 'n', 'a', 'm', 'e', '"', ':', '"', (byte) 0xC0, (byte) 0x80, '"', '}'},    // overlong NUL
                {'{', '"', 'n', 'a', 'm', 'e', '"', ':', '"', (byte) 0xED, (byte) 0xA0, (byte) 0x80, '"', '}'}, // surrogate
                {'{', '"', 'n', 'a', 'm', 'e', '"', ':', '"', (byte) 0xE2, (byte) 0x82, '"', '}'},    // truncated
        };
        for (byte[] body : invalid) {
            assertThatThrownBy(() -> JsonBodies.read(body, Requests.GroupWrite.class))
                    .isInstanceOfSatisfying(ApiException.class, e -> {
                        assertThat(e.status()).isEqualTo(HttpStatus.BAD_REQUEST);
                        assertThat(e.getMessage()).contains("UTF-8");
                    });
        }
    }

    @Test
    void nullOrBlankListElementsAre400() {
        assertThatThrownBy(() -> JsonBodies.strings(java.util.Arrays.asList("a", null), "peers"))
                .isInstanceOf(ApiException.class).hasMessageContaining("'peers'");
        assertThatThrownBy(() -> JsonBodies.strings(java.util.List.of(" "), "peers"))
                .isInstanceOf(ApiException.class);
        assertThat(JsonBodies.strings(null, "peers")).isNull();
        assertThat(JsonBodies.strings(java.util.List.of(" a "), "peers")).containsExactly("a");
    }

    @Test
    void invalidValuesFromValueTypesPassThroughAs400() {
        // InvalidValueException is mapped to 400 by the exception handler; it must not be swallowed here.
        assertThatThrownBy(() -> PoliciesController.rule(new Requests.RuleWrite(null, "r", null, true, "accept",
                true, "tcp", java.util.List.of("70000"), null, java.util.List.of("g"), java.util.List.of("g"), null,
                null, null), "rules[0]")).isInstanceOf(InvalidValueException.class).hasMessageContaining("65535");
    }
}

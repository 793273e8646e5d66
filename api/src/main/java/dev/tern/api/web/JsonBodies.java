package dev.tern.api.web;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.deser.std.StdScalarDeserializer;
import com.fasterxml.jackson.databind.deser.std.StringDeserializer;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.type.LogicalType;
import dev.tern.events.values.InvalidValueException;
import dev.tern.events.values.Text;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Reads request bodies strictly, the way NetBird's Go handlers do: a number is not a string, a string is not a
 * boolean, trailing garbage is an error. Every failure becomes a 400 naming the offending field; none reaches
 * the command side. Unknown fields are ignored (as Go's encoding/json does) so newer clients keep working.
 */
final class JsonBodies {
    private static final ObjectMapper MAPPER = strictMapper();

    private JsonBodies() {
    }

    static ObjectMapper strictMapper() {
        ObjectMapper m = JsonMapper.builder()
                .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
                .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
                .addModule(new SimpleModule("tern-strings").addDeserializer(String.class, new CheckedStrings()))
                .build();
        for (LogicalType type : List.of(LogicalType.Textual, LogicalType.Boolean, LogicalType.Integer,
                LogicalType.Float, LogicalType.Collection, LogicalType.Array, LogicalType.POJO, LogicalType.Map)) {
            m.coercionConfigFor(type)
                    .setCoercion(CoercionInputShape.Integer, type == LogicalType.Integer || type == LogicalType.Float
                            ? CoercionAction.TryConvert : CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Float, type == LogicalType.Float
                            ? CoercionAction.TryConvert : CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Boolean, type == LogicalType.Boolean
                            ? CoercionAction.TryConvert : CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.String, type == LogicalType.Textual
                            ? CoercionAction.TryConvert : CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.EmptyString, type == LogicalType.Textual
                            ? CoercionAction.TryConvert : CoercionAction.Fail);
        }
        return m;
    }

    /**
     * Every string of every request body passes {@link Text}'s rule set here, at the edge, before any controller
     * sees it: no NUL (PostgreSQL text cannot hold it), no other control characters or line breaks (they forge log
     * and audit lines), no unpaired surrogates, no bidirectional overrides, at most {@link Text#MAX_TEXT}
     * characters. Fields named {@value #MULTI_LINE_FIELD} may span lines. Names, e-mails and ids get their
     * shorter limits where they are read.
     */
    static final class CheckedStrings extends StdScalarDeserializer<String> {
        CheckedStrings() {
            super(String.class);
        }

        @Override
        public String deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            String value = StringDeserializer.instance.deserialize(p, ctxt);
            String problem = Text.problem(value, Text.MAX_TEXT, MULTI_LINE_FIELD.equals(p.currentName()));
            if (problem != null) {
                throw new UnacceptableText(p, problem);
            }
            return value;
        }
    }

    static final String MULTI_LINE_FIELD = "description";

    /** A string that breaks {@link Text}'s rules; its message is the reason (never the value). */
    static final class UnacceptableText extends InvalidFormatException {
        UnacceptableText(JsonParser p, String reason) {
            super(p, reason, null, String.class);
        }
    }

    /** The longest element of a list of ids, group ids or port texts (ids are at most 64 characters). */
    static final int MAX_LIST_ELEMENT = 64;

    /** Parses {@code body} into {@code type}; 400 for an empty body, malformed JSON or a wrongly typed field. */
    static <T> T read(byte[] body, Class<T> type) {
        String text = body == null ? "" : utf8(body);
        if (text.isBlank()) {
            throw ApiException.badRequest("request body is missing");
        }
        try {
            T value = MAPPER.readValue(text, type);
            if (value == null) {
                throw ApiException.badRequest("request body must be a JSON object");
            }
            return value;
        } catch (ValueInstantiationException e) {
            if (e.getCause() instanceof InvalidValueException invalid) {
                throw invalid;
            }
            throw ApiException.badRequest("invalid value" + at(e));
        } catch (UnacceptableText e) {
            throw ApiException.badRequest("invalid value" + at(e) + ": " + e.getOriginalMessage());
        } catch (InvalidFormatException e) {
            throw ApiException.badRequest("invalid value" + at(e) + ": expected " + expected(e.getTargetType()));
        } catch (JsonParseException e) {
            throw ApiException.badRequest("couldn't parse JSON request: " + e.getOriginalMessage());
        } catch (MismatchedInputException e) {
            String where = at(e);
            throw ApiException.badRequest(where.isEmpty()
                    ? "request body must be a JSON object"
                    : "invalid value" + where + ": expected " + expected(e.getTargetType()));
        } catch (JsonMappingException e) {
            throw ApiException.badRequest("couldn't parse JSON request" + at(e));
        } catch (JsonProcessingException e) {
            throw ApiException.badRequest("couldn't parse JSON request");
        } catch (IOException e) {
            throw ApiException.badRequest("couldn't read request body");
        }
    }

    /**
     * The body as text, strictly: JSON is UTF-8 (RFC 8259), and malformed, overlong or surrogate-encoding byte
     * sequences are refused rather than replaced, so no two spellings of a byte string mean the same name.
     */
    private static String utf8(byte[] body) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(body)).toString();
        } catch (CharacterCodingException e) {
            throw ApiException.badRequest("request body is not valid UTF-8");
        }
    }

    /** A required field's value, or 400 naming it. */
    static <T> T required(T value, String field) {
        if (value == null) {
            throw ApiException.badRequest("field '" + field + "' is required");
        }
        return value;
    }

    /** A list of ids or strings without null or blank elements (a null list stays null). */
    static List<String> strings(List<String> values, String field) {
        if (values == null) {
            return null;
        }
        for (String v : values) {
            if (v == null || v.isBlank()) {
                throw ApiException.badRequest("field '" + field + "' must not contain empty values");
            }
            if (v.trim().length() > MAX_LIST_ELEMENT) {
                throw ApiException.badRequest("field '" + field + "' must not contain values longer than "
                        + MAX_LIST_ELEMENT + " characters");
            }
        }
        return values.stream().map(String::trim).toList();
    }

    /** Like {@link #strings} for a required field. */
    static List<String> requiredStrings(List<String> values, String field) {
        return strings(required(values, field), field);
    }

    /**
     * A list of ids naming each thing once, at most {@code max} of them (a null list stays null): a repeated id or
     * an over-long list is a 400 naming the field, before any id is looked up. The account checks the same.
     */
    static List<String> ids(List<String> values, String field, int max) {
        if (values != null && values.size() > max) {
            throw ApiException.badRequest("field '" + field + "' lists " + values.size() + " ids, more than the "
                    + max + " allowed");
        }
        List<String> ids = strings(values, field);
        if (ids != null) {
            java.util.Set<String> seen = new java.util.HashSet<>();
            for (String id : ids) {
                if (!seen.add(id)) {
                    throw ApiException.badRequest("field '" + field + "' lists " + id + " more than once");
                }
            }
        }
        return ids;
    }

    /** Like {@link #ids} for a required field. */
    static List<String> requiredIds(List<String> values, String field, int max) {
        return ids(required(values, field), field, max);
    }

    /** An optional free text of at most {@code max} characters. */
    static String text(String value, String field, int max) {
        if (value != null && value.length() > max) {
            throw ApiException.badRequest("field '" + field + "' is longer than " + max + " characters");
        }
        return value;
    }

    private static String at(JsonMappingException e) {
        String path = e.getPath().stream()
                .map(ref -> ref.getFieldName() != null ? ref.getFieldName() : "[" + ref.getIndex() + "]")
                .collect(Collectors.joining(".")).replace(".[", "[");
        return path.isEmpty() ? "" : " for field '" + path + "'";
    }

    private static String expected(Class<?> type) {
        if (type == null) {
            return "another type";
        }
        if (type == String.class) {
            return "a string";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "a boolean";
        }
        if (type == Integer.class || type == int.class || type == Long.class || type == long.class) {
            return "an integer";
        }
        if (List.class.isAssignableFrom(type) || type.isArray()) {
            return "an array";
        }
        return "an object";
    }
}

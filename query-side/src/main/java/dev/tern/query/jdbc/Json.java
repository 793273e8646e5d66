package dev.tern.query.jdbc;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.util.List;
import java.util.Map;

/** JSON columns of the read tables (lists of ids, policy definitions, peer metadata, audit meta). */
public final class Json {
    // Own mapper, not the application's: the stored shape must not change with someone else's Jackson settings.
    // Unknown properties are ignored because value records expose derived getters (e.g. PortRange#isSingle).
    private static final ObjectMapper MAPPER = new ObjectMapper()
            .findAndRegisterModules()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
    private static final TypeReference<List<String>> STRING_LIST = new TypeReference<>() { };
    private static final TypeReference<Map<String, String>> STRING_MAP = new TypeReference<>() { };

    private Json() {
    }

    public static String write(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write " + value.getClass().getSimpleName() + " as JSON", e);
        }
    }

    public static <T> T read(String json, Class<T> type) {
        try {
            return MAPPER.readValue(json, type);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored JSON is not a " + type.getSimpleName(), e);
        }
    }

    public static List<String> readStringList(String json) {
        try {
            return json == null ? List.of() : List.copyOf(MAPPER.readValue(json, STRING_LIST));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored JSON is not a list of strings", e);
        }
    }

    public static Map<String, String> readStringMap(String json) {
        try {
            return json == null ? Map.of() : MAPPER.readValue(json, STRING_MAP);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored JSON is not a map of strings", e);
        }
    }
}

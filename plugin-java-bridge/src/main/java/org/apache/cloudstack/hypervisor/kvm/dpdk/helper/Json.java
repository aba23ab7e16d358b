package org.apache.cloudstack.hypervisor.kvm.dpdk.helper;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;

import java.io.IOException;
import java.io.StringReader;
import java.math.BigDecimal;
import java.util.Map;

/**
 * Strict JSON reading on the Gson API that every CloudStack agent has: Gson 1.7.2 (4.18 to 4.20, the
 * agent's {@code lib/} comes first on its class path) and 2.10.1 (4.21). Only members present in both
 * are called here and anywhere in the bridge (the tests check the class files against Gson 1.7.2's API):
 * no {@code JsonParser.parseString} (2.8.6), {@code JsonElement.deepCopy} (2.8.2),
 * {@code TypeAdapter} or {@code Gson.getAdapter} (2.1), and {@code JsonParser.parse(JsonReader)} is
 * avoided because it turns a strict reader lenient. Nor does Gson's reflection meet a field of type
 * {@code JsonElement} (Gson 1.7.2 can neither make one nor write one): such fields are transient, read
 * from the raw result ({@link DpdkHelperResult#rawMember}) or written by the request
 * ({@link Request}).
 */
final class Json {
    /** Requests and texts: reflection on the request classes, no HTML escaping of XML in strings. */
    static final Gson GSON = new GsonBuilder().disableHtmlEscaping().create();

    private Json() {
    }

    /** A request that writes some of its members itself (those of type JsonElement). */
    interface Request {
        JsonElement toJsonTree();
    }

    /** The JSON text of a request: Gson's reflection, or the request's own tree. */
    static String request(Object request) {
        return request instanceof Request ? text(((Request) request).toJsonTree()) : GSON.toJson(request);
    }

    /** {@code e} as compact JSON text, '<', '>', '=' and '&' as they are. */
    static String text(JsonElement e) {
        return GSON.toJson(e);
    }

    /** Exactly one JSON document in {@code text} (whitespace around it is fine), strictly parsed. */
    static JsonElement parse(String text) throws IOException {
        JsonReader reader = new JsonReader(new StringReader(text));
        reader.setLenient(false);
        JsonElement doc = read(reader);
        if (reader.peek() != JsonToken.END_DOCUMENT) {
            throw new IOException("more than one document");
        }
        return doc;
    }

    /** {@link #parse(String)} for text this bridge made itself (a bad one is a bug: unchecked). */
    static JsonElement parseTrusted(String text) {
        try {
            return parse(text);
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("not one JSON document: " + e.getMessage(), e);
        }
    }

    /** A deep copy: nothing mutable of {@code e} is shared with the result. */
    static JsonElement copy(JsonElement e) {
        if (e == null || e.isJsonNull() || e.isJsonPrimitive()) {
            return e; // immutable
        }
        if (e.isJsonArray()) {
            JsonArray out = new JsonArray();
            for (JsonElement item : e.getAsJsonArray()) {
                out.add(copy(item));
            }
            return out;
        }
        JsonObject out = new JsonObject();
        for (Map.Entry<String, JsonElement> member : e.getAsJsonObject().entrySet()) {
            out.add(member.getKey(), copy(member.getValue()));
        }
        return out;
    }

    /** One value from a strict reader; JSON null is returned as {@code null} (Gson stores it as JsonNull). */
    private static JsonElement read(JsonReader reader) throws IOException {
        switch (reader.peek()) {
        case BEGIN_OBJECT: {
            JsonObject object = new JsonObject();
            reader.beginObject();
            while (reader.hasNext()) {
                String name = reader.nextName();
                object.add(name, read(reader));
            }
            reader.endObject();
            return object;
        }
        case BEGIN_ARRAY: {
            JsonArray array = new JsonArray();
            reader.beginArray();
            while (reader.hasNext()) {
                array.add(read(reader));
            }
            reader.endArray();
            return array;
        }
        case STRING:
            return new JsonPrimitive(reader.nextString());
        case NUMBER:
            return new JsonPrimitive(new BigDecimal(reader.nextString()));
        case BOOLEAN:
            return new JsonPrimitive(reader.nextBoolean());
        case NULL:
            reader.nextNull();
            return null;
        default:
            throw new IOException("unexpected " + reader.peek());
        }
    }
}

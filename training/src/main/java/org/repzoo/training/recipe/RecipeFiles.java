package org.repzoo.training.recipe;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;

/**
 * Recipes in JSON. A file overrides a registered recipe field by field: it names its base with {@code "base"} (or
 * the caller gives one) and lists only what changes, nested objects merged key by key, e.g.
 * <pre>{"base": "repvgg", "epochs": 10, "batchSize": 64, "averaging": {"kind": "EXPONENTIAL", "decay": 0.9998}}</pre>
 * Unknown keys are errors (a typo must not silently keep the paper's value), reported with the file's name.
 */
public final class RecipeFiles {

    private static final String BASE = "base";
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(SerializationFeature.INDENT_OUTPUT);

    private RecipeFiles() {
    }

    /** A recipe file whose {@code "base"} names the registered recipe it overrides. */
    public static Recipe load(Path file) throws IOException {
        JsonNode overrides = read(file);
        JsonNode base = overrides.get(BASE);
        if (base == null || !base.isTextual()) {
            throw new RecipeFileException(file, "names no \"base\" recipe; known: " + Recipes.all().keySet());
        }
        try {
            return load(file, Recipes.byName(base.asText()));
        } catch (IllegalArgumentException e) {
            throw new RecipeFileException(file, e.getMessage(), e);
        }
    }

    /** The given recipe with a file's overrides applied (the file's {@code "base"}, if any, must agree). */
    public static Recipe load(Path file, Recipe base) throws IOException {
        ObjectNode overrides = read(file);
        JsonNode named = overrides.remove(BASE);
        if (named != null && !named.asText().equals(base.name())) {
            throw new RecipeFileException(file, "is based on '" + named.asText() + "', not '" + base.name() + "'");
        }
        return override(base, overrides, file);
    }

    /** The recipe with the overrides (a JSON object) applied. */
    public static Recipe override(Recipe base, String overridesJson) throws IOException {
        JsonNode overrides = JSON.readTree(overridesJson);
        if (!(overrides instanceof ObjectNode object)) {
            throw new IllegalArgumentException("recipe overrides must be a JSON object, got: " + overridesJson);
        }
        return override(base, object, null);
    }

    public static String toJson(Recipe recipe) {
        try {
            return JSON.writeValueAsString(recipe);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write recipe " + recipe.name(), e);
        }
    }

    public static Recipe fromJson(String json) throws IOException {
        return JSON.readValue(json, Recipe.class);
    }

    private static Recipe override(Recipe base, ObjectNode overrides, Path file) throws IOException {
        ObjectNode merged = JSON.valueToTree(base);
        merge(merged, overrides);
        try {
            return JSON.treeToValue(merged, Recipe.class);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            // Jackson wraps the record's own check: show that, not Jackson's "Cannot construct instance" preamble
            String detail = e instanceof JsonProcessingException json
                    ? json.getCause() instanceof IllegalArgumentException check ? check.getMessage()
                    : json.getOriginalMessage() : e.getMessage();
            String problem = "invalid recipe override: " + detail;
            if (file == null) {
                throw new IllegalArgumentException(problem, e);
            }
            throw new RecipeFileException(file, problem, e);
        }
    }

    /** Overwrites {@code target}'s keys with {@code source}'s, recursing into objects present in both. */
    private static void merge(ObjectNode target, ObjectNode source) {
        for (Iterator<Map.Entry<String, JsonNode>> it = source.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            JsonNode existing = target.get(field.getKey());
            if (existing instanceof ObjectNode existingObject && field.getValue() instanceof ObjectNode update) {
                merge(existingObject, update);
            } else {
                target.set(field.getKey(), field.getValue());
            }
        }
    }

    private static ObjectNode read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new RecipeFileException(file, "no such file");
        }
        JsonNode node;
        try {
            node = JSON.readTree(file.toFile());
        } catch (JsonProcessingException e) {
            throw new RecipeFileException(file, "is not valid JSON (" + e.getOriginalMessage() + ")", e);
        }
        if (!(node instanceof ObjectNode object)) {
            throw new RecipeFileException(file, "must hold a JSON object");
        }
        return object;
    }
}

package org.repzoo.zoo.core;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;

/**
 * What built a model zip, stored in it as {@code repzoo/provenance.json}: the architecture and the checkpoint its
 * weights came from (name, SHA-256, format, key scheme, what did not fit).
 *
 * @param stateDictOrder the checkpoint's keys in its order (after the {@code module.} prefix is removed), so that
 *                       export writes them back in the same order
 * @param preset         the model's own evaluation preset (a model RepZoo trained on other data, e.g. Fashion-MNIST at
 *                       32x32); null: the registered architecture's
 * @param classNames     the names of the model's classes in output order, for a model trained here; null: ImageNet's
 *                       for 1000 classes, else none
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Provenance(
        @JsonProperty("repzoo") String repzooVersion,
        @JsonProperty("created") String created,
        @JsonProperty("architecture") String architecture,
        @JsonProperty("num_classes") int numClasses,
        @JsonProperty("input") String input,
        @JsonProperty("weights") Source weights,
        @JsonProperty("state_dict_order") List<String> stateDictOrder,
        @JsonProperty("preset") EvalPreset preset,
        @JsonProperty("class_names") List<String> classNames) {

    public static final String VERSION = "0.1.0";

    /** The checkpoint a model's weights were imported from. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Source(
            @JsonProperty("file") String file,
            @JsonProperty("sha256") String sha256,
            @JsonProperty("bytes") long bytes,
            @JsonProperty("format") String format,
            @JsonProperty("wrapper") String wrapper,
            @JsonProperty("key_scheme") String keyScheme,
            @JsonProperty("module_prefix_removed") boolean modulePrefixRemoved,
            @JsonProperty("dtypes") List<String> dtypes,
            @JsonProperty("mode") String mode,
            @JsonProperty("loaded") int loaded,
            @JsonProperty("missing") List<String> missing,
            @JsonProperty("unexpected") List<String> unexpected,
            @JsonProperty("mismatched") List<String> mismatched) {
    }

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    /** A model RepZoo trained itself: no checkpoint it came from, its own preset and class names. */
    public static Provenance trained(String architecture, String input, EvalPreset preset, List<String> classNames) {
        return new Provenance(VERSION, Instant.now().truncatedTo(ChronoUnit.SECONDS).toString(), architecture,
                classNames.size(), input, null, null, preset, List.copyOf(classNames));
    }

    public String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A provenance from its JSON; text that is not one is refused. */
    public static Provenance fromJson(String json) {
        try {
            return JSON.readValue(json, Provenance.class);
        } catch (IOException e) {
            throw new IllegalArgumentException("not a RepZoo provenance (" + e.getMessage() + ")", e);
        }
    }

    /** The provenance of a model zip, if it has one RepZoo can read. */
    public static Optional<Provenance> of(Path modelZip) throws IOException {
        Optional<String> json = ModelFiles.provenance(modelZip);
        if (json.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(JSON.readValue(json.get(), Provenance.class));
        } catch (IOException e) {
            throw new ModelFileException(modelZip, ModelFiles.PROVENANCE + " is not valid (" + e.getMessage() + ")", e);
        }
    }
}

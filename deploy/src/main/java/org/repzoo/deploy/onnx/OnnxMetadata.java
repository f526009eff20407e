package org.repzoo.deploy.onnx;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.repzoo.zoo.core.EvalPreset;
import org.repzoo.zoo.core.InputShape;
import org.repzoo.zoo.core.ModelFileException;

/**
 * What RepZoo stores in an ONNX file's metadata properties so that {@code predict} and {@code eval} preprocess an
 * {@code .onnx} exactly as the model zip it came from: the architecture, the input size, the evaluation preset, the
 * class names (when the model has its own) and the zip's whole provenance (source checkpoint and its SHA-256,
 * conversions). All values are text; the preset and the names are JSON.
 *
 * @param architecture the registered architecture, or null
 * @param input        the input size the model was exported at
 * @param preset       how images are prepared for it
 * @param classNames   the classes' names in output order, or null (ImageNet's for 1000 classes, else numbers)
 * @param provenance   the model zip's provenance JSON, or null
 */
public record OnnxMetadata(String architecture, InputShape input, EvalPreset preset, List<String> classNames,
                           String provenance) {

    public static final String ARCHITECTURE = "repzoo.architecture";
    public static final String INPUT = "repzoo.input";
    public static final String PRESET = "repzoo.preset";
    public static final String CLASS_NAMES = "repzoo.class_names";
    public static final String PROVENANCE = OnnxExport.PROVENANCE_KEY;

    private static final ObjectMapper JSON = new ObjectMapper()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    /** The properties to write. */
    public Map<String, String> properties() {
        Map<String, String> properties = new LinkedHashMap<>();
        if (architecture != null) {
            properties.put(ARCHITECTURE, architecture);
        }
        properties.put(INPUT, input.toString());
        try {
            properties.put(PRESET, JSON.writeValueAsString(preset));
            if (classNames != null) {
                properties.put(CLASS_NAMES, JSON.writeValueAsString(classNames));
            }
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a preset or class list that Jackson cannot write", e);
        }
        if (provenance != null) {
            properties.put(PROVENANCE, provenance);
        }
        return properties;
    }

    /**
     * RepZoo's metadata in {@code properties} of {@code file}, if it has it (a file RepZoo wrote); a value that is
     * there but unreadable is an error naming the file and the key.
     */
    public static java.util.Optional<OnnxMetadata> read(Path file, Map<String, String> properties)
            throws ModelFileException {
        if (!properties.containsKey(PRESET)) {
            return java.util.Optional.empty();
        }
        try {
            EvalPreset preset = JSON.readValue(properties.get(PRESET), EvalPreset.class);
            List<String> names = properties.containsKey(CLASS_NAMES)
                    ? JSON.readValue(properties.get(CLASS_NAMES), new TypeReference<List<String>>() { }) : null;
            InputShape input = properties.containsKey(INPUT) ? InputShape.parse(properties.get(INPUT))
                    : InputShape.of(preset.channels(), preset.cropSize(), preset.cropSize());
            return java.util.Optional.of(new OnnxMetadata(properties.get(ARCHITECTURE), input, preset, names,
                    properties.get(PROVENANCE)));
        } catch (JsonProcessingException | IllegalArgumentException e) {
            throw new ModelFileException(file, "its RepZoo metadata is not valid (" + e.getMessage() + ")", e);
        }
    }
}

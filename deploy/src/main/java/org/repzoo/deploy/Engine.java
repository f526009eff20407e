package org.repzoo.deploy;

import java.util.Locale;

/** The inference engines a model can run on. */
public enum Engine {
    /** DL4J (ND4J, oneDNN on the command line): the library's own engine, and the one that trains. */
    DL4J,
    /** ONNX Runtime through its Java API, on the model written as ONNX. */
    ONNXRUNTIME;

    /** "dl4j" or "onnxruntime" (any case); anything else is refused, naming the value. */
    public static Engine parse(String text) {
        for (Engine engine : values()) {
            if (engine.name().equalsIgnoreCase(text)) {
                return engine;
            }
        }
        throw new IllegalArgumentException("unknown engine '" + text + "': choose dl4j or onnxruntime");
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}

package org.repzoo.evaluation.protocol;

import java.util.Arrays;
import java.util.Locale;

/** The protocols {@code repzoo eval --protocol} knows, by their command-line names. */
public enum ProtocolName {
    SINGLE("single"),
    MULTI_SCALE("multi-scale"),
    TEN_CROP("ten-crop"),
    MULTI_CROP("multi-crop"),
    GOOGLENET_144("googlenet-144"),
    DENSE("dense"),
    DENSE_MULTI_CROP("dense+multi-crop");

    private final String text;

    ProtocolName(String text) {
        this.text = text;
    }

    public String text() {
        return text;
    }

    public static ProtocolName parse(String name) {
        String wanted = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
        for (ProtocolName protocol : values()) {
            if (protocol.text.equals(wanted)) {
                return protocol;
            }
        }
        throw new IllegalArgumentException("unknown protocol '" + name + "'; known: "
                + String.join(", ", Arrays.stream(values()).map(ProtocolName::text).toList()));
    }

    @Override
    public String toString() {
        return text;
    }
}

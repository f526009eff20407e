package org.repzoo.zoo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.GZIPInputStream;

/** Committed test fixtures; each names the tools/reference script that made it. */
public final class Fixtures {

    private Fixtures() {
    }

    /** A JSON fixture; gzipped when its name ends in {@code .gz}. */
    public static JsonNode json(String resource, String madeBy) {
        try (InputStream in = Fixtures.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException(resource + " missing: run " + madeBy);
            }
            return new ObjectMapper().readTree(resource.endsWith(".gz") ? new GZIPInputStream(in) : in);
        } catch (IOException e) {
            throw new IllegalStateException(resource + " unreadable", e);
        }
    }
}

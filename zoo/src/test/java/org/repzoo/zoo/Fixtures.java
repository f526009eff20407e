package org.repzoo.zoo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;

/** Committed test fixtures; each names the tools/reference script that made it. */
public final class Fixtures {

    private Fixtures() {
    }

    public static JsonNode json(String resource, String madeBy) {
        try (InputStream in = Fixtures.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException(resource + " missing: run " + madeBy);
            }
            return new ObjectMapper().readTree(in);
        } catch (IOException e) {
            throw new IllegalStateException(resource + " unreadable", e);
        }
    }
}

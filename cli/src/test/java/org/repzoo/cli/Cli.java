package org.repzoo.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.Arrays;
import org.repzoo.weights.HashedWeights;
import org.repzoo.weights.format.Npz;
import org.repzoo.zoo.Zoo;

/** Runs the command line in-process and captures what it printed. */
final class Cli {

    record Run(int code, String out, String err) {
    }

    private Cli() {
    }

    /**
     * A model zip of {@code architecture} with the hashed weights of {@code HashedWeights} (realistic magnitudes, the
     * PyTorch fixtures' own), made by {@code repzoo import} in {@code dir}.
     */
    static Path imported(Path dir, String architecture) throws java.io.IOException {
        Path weights = dir.resolve(architecture + "-hashed.npz");
        Npz.write(weights, HashedWeights.stateDict(Zoo.registry().get(architecture).configure()));
        Path zip = dir.resolve(architecture + ".zip");
        Run imported = run("import", architecture, "--weights", weights, "--out", zip);
        if (imported.code() != 0) {
            throw new IllegalStateException("import " + architecture + " failed: " + imported.err());
        }
        return zip;
    }

    static Run run(Object... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        String[] strings = Arrays.stream(args).map(Object::toString).toArray(String[]::new);
        int code = Main.execute(strings, new PrintWriter(out), new PrintWriter(err));
        return new Run(code, out.toString(), err.toString());
    }
}

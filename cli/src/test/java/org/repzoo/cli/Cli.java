package org.repzoo.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Arrays;

/** Runs the command line in-process and captures what it printed. */
final class Cli {

    record Run(int code, String out, String err) {
    }

    private Cli() {
    }

    static Run run(Object... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        String[] strings = Arrays.stream(args).map(Object::toString).toArray(String[]::new);
        int code = Main.execute(strings, new PrintWriter(out), new PrintWriter(err));
        return new Run(code, out.toString(), err.toString());
    }
}

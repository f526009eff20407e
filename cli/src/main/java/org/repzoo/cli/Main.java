package org.repzoo.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import org.repzoo.zoo.core.OneDnn;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code repzoo}: RepZoo's command line. Commands are thin; their logic lives in the library modules. */
@Command(name = "repzoo", mixinStandardHelpOptions = true, version = "RepZoo 0.1.0 (DL4J 1.0.0-M2.1)",
        description = "Classic ImageNet CNNs for Deeplearning4j, exact to their reference implementations.",
        subcommands = {ListCommand.class, SummaryCommand.class, ImportCommand.class, ExportCommand.class,
                PredictCommand.class, EvalCommand.class, ConvertCommand.class, QuantizeCommand.class, TrainCommand.class,
                DemoCommand.class, BenchCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {

    /** Exit code of bad input: an unknown model, a bad size, an unreadable file. */
    static final int USAGE = 2;

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    public static void main(String[] args) {
        System.exit(execute(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs a command line; bad input ends with one line on stderr and exit code {@value #USAGE}. */
    public static int execute(String[] args, PrintWriter out, PrintWriter err) {
        OneDnn.enable();
        CommandLine cli = new CommandLine(new Main());
        cli.setOut(out).setErr(err);
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            if (e instanceof IllegalArgumentException || e instanceof IOException) {
                commandLine.getErr().println("repzoo: " + message(e));
                return USAGE;
            }
            commandLine.getErr().println("repzoo: internal error: " + e);
            if (System.getenv("REPZOO_DEBUG") != null) {
                e.printStackTrace(commandLine.getErr());
            } else {
                commandLine.getErr().println("(set REPZOO_DEBUG=1 for the stack trace, and please report it)");
            }
            return 1;
        });
        return cli.execute(args);
    }

    /**
     * The one line for a user's error. The JDK's file exceptions carry only the path as their message; they are told
     * what happened to it, and an exception without a message by its kind.
     */
    static String message(Exception e) {
        if (e instanceof NoSuchFileException missing) {
            return "no such file: " + missing.getFile();
        }
        if (e instanceof AccessDeniedException denied) {
            return "permission denied: " + denied.getFile();
        }
        if (e instanceof NotDirectoryException notDirectory) {
            return "not a directory: " + notDirectory.getFile();
        }
        if (e instanceof FileAlreadyExistsException exists) {
            return "already exists: " + exists.getFile();
        }
        if (e instanceof FileSystemException other && other.getReason() != null) {
            return other.getFile() + ": " + other.getReason();
        }
        String text = e.getMessage();
        return text == null || text.isBlank() ? e.getClass().getSimpleName() : text;
    }
}

package org.repzoo.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import org.repzoo.bench.BenchmarkMemoryException;
import org.repzoo.evaluation.data.BadInputException;
import org.repzoo.spark.SparkStallException;
import org.repzoo.training.checkpoint.RunFolderException;
import org.repzoo.zoo.core.SettingException;
import picocli.CommandLine.Command;
import picocli.CommandLine;

/** {@code repzoo}: RepZoo's command line. Commands are thin; their logic lives in the library modules. */
@Command(name = "repzoo", mixinStandardHelpOptions = true, version = "RepZoo 0.1.0 (DL4J 1.0.0-M2.1)",
        description = "Classic ImageNet CNNs for Deeplearning4j, exact to their reference implementations.",
        subcommands = {ListCommand.class, SummaryCommand.class, ImportCommand.class, ExportCommand.class,
                PredictCommand.class, EvalCommand.class, ConvertCommand.class, QuantizeCommand.class, TrainCommand.class,
                DemoCommand.class, BenchCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {

    /** Exit code of bad input: an unknown model, a bad size, an unreadable file. */
    static final int USAGE = 2;

    /** Library settings whose flag is not their own name in kebab case. */
    private static final Map<String, String> FLAG_NAMES = Map.of("master", "spark", "groundTruth", "labels");

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
     * The one line for a user's error. The libraries' typed exceptions speak of settings, files and keys: a setting
     * is named by its flag here, and where a flag would get the user past the error, the line says which. The JDK's
     * file exceptions carry only the path as their message; they are told what happened to it, and an exception
     * without a message by its kind.
     */
    static String message(Exception e) {
        if (e instanceof SettingException setting) {
            return setting.settings().stream().map(Main::flag).collect(Collectors.joining(" and ")) + " "
                    + setting.problem();
        }
        if (e instanceof BadInputException bad && bad.skippable()) {
            return bad.getMessage() + " (--skip-bad counts and lists bad inputs in the report instead of stopping)";
        }
        if (e instanceof RunFolderException run) {
            return switch (run.problem()) {
                case ALREADY_HOLDS_A_RUN -> run.checkpoint() + " already holds a run: add --resume to continue it, or "
                        + "choose another --checkpoint-dir";
                case NOTHING_TO_RESUME -> run.checkpoint() + ": no checkpoint to resume (start without --resume)";
            };
        }
        if (e instanceof SparkStallException stall && stall.checkpoint().isPresent()) {
            return stall.getMessage() + " (--resume continues from it)";
        }
        if (e instanceof BenchmarkMemoryException memory) {
            return "out of memory at " + memory.what() + " (" + memory.getCause().getMessage() + "): give the JVM "
                    + "more (REPZOO_JAVA_OPTS='-Xmx4g -Dorg.bytedeco.javacpp.maxbytes=24G "
                    + "-Dorg.bytedeco.javacpp.maxphysicalbytes=28G') or use a smaller --batch";
        }
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

    /** The flag of a library setting: its name in kebab case ({@code sparkMode} is {@code --spark-mode}). */
    static String flag(String setting) {
        return "--" + FLAG_NAMES.getOrDefault(setting, setting.replaceAll("([a-z])([A-Z])", "$1-$2")
                .toLowerCase(Locale.ROOT));
    }
}

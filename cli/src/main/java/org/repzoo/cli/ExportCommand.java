package org.repzoo.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import org.repzoo.zoo.checkpoint.StoredTensor;
import org.repzoo.zoo.core.KeyScheme;
import org.repzoo.zoo.weights.CheckpointExport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "export", mixinStandardHelpOptions = true,
        description = {"Write a model zip's weights as a PyTorch state_dict (.npz or .safetensors, float32) with the "
                + "reference implementation's key names, loadable with load_state_dict."})
final class ExportCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Parameters(index = "0", paramLabel = "MODEL.zip", description = "A model zip (from 'repzoo import' or DL4J).")
    private Path model;

    @Option(names = "--out", required = true, paramLabel = "FILE.npz|FILE.safetensors", description = "The file to write.")
    private Path out;

    @Option(names = "--scheme", paramLabel = "reference|timm",
            description = "Key names to write (default: those the weights were imported with).")
    private String scheme;

    @Override
    public Integer call() throws Exception {
        CheckpointExport.Format.of(out);
        if (Files.exists(out) && Files.exists(model) && Files.isSameFile(out, model)) {
            throw new IllegalArgumentException("--out " + out + " is the model itself: RepZoo never overwrites an input");
        }
        Map<String, StoredTensor> state = CheckpointExport.stateDict(model, scheme == null ? null : KeyScheme.of(scheme));
        CheckpointExport.write(state, out);
        spec.commandLine().getOut().printf("wrote %d tensors to %s%n", state.size(), out);
        spec.commandLine().getOut().flush();
        return 0;
    }
}

package org.repzoo.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import org.repzoo.weights.CheckpointImport;
import org.repzoo.weights.LoadReport;
import org.repzoo.weights.StateDictLoader;
import org.repzoo.zoo.Zoo;
import org.repzoo.zoo.core.ModelEntry;
import org.repzoo.zoo.core.Provenance;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "import", mixinStandardHelpOptions = true,
        description = {"Import a PyTorch checkpoint (.pth/.pt, .npz or .safetensors; torchvision, timm or official "
                + "RepVGG key names) into a model zip that DL4J's ComputationGraph.load reads.",
                "Strict by default: every missing key, unexpected key and shape mismatch is reported and nothing is "
                        + "written."})
final class ImportCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Parameters(index = "0", paramLabel = "ARCH", description = "A registered model (see 'repzoo list').")
    private String arch;

    @Option(names = "--weights", required = true, paramLabel = "FILE", description = "The checkpoint to import.")
    private Path weights;

    @Option(names = "--out", required = true, paramLabel = "MODEL.zip", description = "The model zip to write.")
    private Path out;

    @Option(names = "--num-classes", paramLabel = "N",
            description = "Classifier width (default: the checkpoint's classifier; 1000 if it has none).")
    private Integer numClasses;

    @Option(names = "--strict", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Refuse a checkpoint that does not fit exactly (default). --no-strict loads what fits and "
                    + "keeps fresh weights for the rest, e.g. a new head for fine-tuning.")
    private boolean strict;

    @Option(names = "--transform-input",
            description = "Build GoogLeNet or Inception v3 with torchvision's transform_input, as torchvision does with "
                    + "its (Google-ported) weights: inputs normalised with the ImageNet mean/std are re-scaled per channel "
                    + "to the [-1, 1] range those weights expect.")
    private boolean transformInput;

    @Override
    public Integer call() throws Exception {
        ModelEntry entry = Zoo.registry().get(arch);
        if (numClasses != null && numClasses < 1) {
            throw new IllegalArgumentException("--num-classes must be at least 1, got " + numClasses);
        }
        Outputs.refuseInput(out, weights);
        StateDictLoader.Mode mode = strict ? StateDictLoader.Mode.STRICT : StateDictLoader.Mode.LENIENT;
        CheckpointImport.Result result;
        ProgressBar[] bar = new ProgressBar[1];
        long started = System.nanoTime();
        try {
            result = CheckpointImport.run(entry, weights, new CheckpointImport.Options(numClasses, mode, transformInput),
                    new CheckpointImport.Progress() {
                        @Override
                        public void start(long totalBytes) {
                            bar[0] = ProgressBars.megabytes("import " + arch, totalBytes);
                        }

                        @Override
                        public void loaded(String key, long bytes) {
                            bar[0].stepBy(bytes);
                        }
                    });
        } finally {
            if (bar[0] != null) {
                bar[0].close();
            }
        }
        long loaded = System.nanoTime();
        result.save(out);
        long saved = System.nanoTime();
        PrintWriter printer = spec.commandLine().getOut();
        Provenance.Source source = result.provenance().weights();
        printer.printf("imported %s%s (%d classes) from %s: %s, %s key names%s, %d tensors loaded%n",
                result.provenance().architecture(), transformInput ? " with transform_input" : "",
                result.provenance().numClasses(), weights.getFileName(), source.format(), source.keyScheme(),
                source.wrapper() == null ? "" : ", state_dict under '" + source.wrapper() + "'", source.loaded());
        LoadReport report = result.report();
        if (!report.clean()) {
            printer.println("not loaded (kept freshly initialised or ignored):");
            report.problems().forEach(p -> printer.println("  " + p));
        }
        printer.printf("wrote %s (checkpoint read into the graph in %.2f s, model zip written in %.2f s)%n", out,
                (loaded - started) / 1e9, (saved - loaded) / 1e9);
        printer.flush();
        return 0;
    }
}

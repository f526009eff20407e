package org.repzoo.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.repzoo.zoo.Zoo;
import org.repzoo.zoo.core.GraphStats;
import org.repzoo.zoo.core.InputShape;
import org.repzoo.zoo.core.ModelEntry;
import org.repzoo.zoo.core.ModelOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "summary", mixinStandardHelpOptions = true,
        description = {"Per-layer table of a model: vertex (the PyTorch module path), type, output shape, parameters "
                + "and multiply-adds, with totals. Nothing is allocated, so the largest nets print instantly."})
final class SummaryCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Parameters(index = "0", paramLabel = "NAME", description = "A registered model (see 'repzoo list').")
    private String name;

    @Option(names = "--input", paramLabel = "CxHxW", description = "Input size (default: the model's, e.g. 3x224x224).")
    private String input;

    @Option(names = "--num-classes", paramLabel = "N", description = "Classifier width (default: 1000).")
    private int numClasses = ModelOptions.IMAGENET_CLASSES;

    @Option(names = "--json", description = "Print JSON instead of a table.")
    private boolean json;

    @Override
    public Integer call() throws Exception {
        ModelEntry entry = Zoo.registry().get(name);
        InputShape shape = input == null ? entry.defaultInput() : InputShape.parse(input);
        GraphStats stats = GraphStats.of(entry.configure(ModelOptions.defaults().withClasses(numClasses).withInput(shape)), shape);
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            Map<String, Object> report = new LinkedHashMap<>();
            report.put("model", entry.name());
            report.put("input", shape.toString());
            report.put("num_classes", numClasses);
            report.put("parameters", stats.parameters());
            report.put("buffers", stats.buffers());
            report.put("multiply_adds", stats.multiplyAdds());
            report.put("layers", stats.rows());
            out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(report));
            out.flush();
            return 0;
        }
        out.println(entry.name() + " — " + entry.description() + ", input " + shape + ", " + numClasses + " classes");
        out.println();
        Table table = new Table("vertex", "type", "output", "parameters", "MMACs").rightAlign(3, 4);
        for (GraphStats.Row row : stats.rows()) {
            long stored = row.parameters() + row.buffers();
            table.row(row.name(), row.type(), row.output(), stored == 0 ? "" : Formats.count(stored),
                    row.multiplyAdds() == 0 ? "" : Formats.mega(row.multiplyAdds()));
        }
        table.rule().row("total", "", "", Formats.count(stats.parameters() + stats.buffers()), Formats.mega(stats.multiplyAdds()));
        table.print(out);
        out.println();
        out.println("learnable parameters " + Formats.count(stats.parameters())
                + (stats.buffers() > 0 ? " + BatchNorm running statistics " + Formats.count(stats.buffers()) : "")
                + "; " + Formats.giga(stats.multiplyAdds()) + " GMACs per image");
        out.flush();
        return 0;
    }
}

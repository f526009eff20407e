package org.repzoo.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.repzoo.zoo.Zoo;
import org.repzoo.zoo.core.GraphStats;
import org.repzoo.zoo.core.ModelEntry;
import org.repzoo.zoo.core.Reference;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "list", mixinStandardHelpOptions = true,
        description = {"Lists every registered model: family, parameters (computed from the configuration and checked "
                + "against the reference), multiply-adds at the default input, default input size and published top-1."})
final class ListCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Option(names = "--json", description = "Print JSON instead of a table.")
    private boolean json;

    @Option(names = "--family", paramLabel = "NAME", description = "Only this family (e.g. VGG, RESNET, NIN).")
    private String family;

    @Override
    public Integer call() throws Exception {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (ModelEntry entry : Zoo.registry().entries()) {
            if (family != null && !entry.family().name().equalsIgnoreCase(family)) {
                continue;
            }
            GraphStats stats = GraphStats.of(entry.configure(), entry.defaultInput());
            Reference ref = entry.reference();
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("name", entry.name());
            row.put("family", entry.family().displayName());
            row.put("parameters", stats.parameters());
            row.put("reference_parameters", ref.parameters());
            row.put("reference_precision", ref.precision());
            row.put("reference_source", ref.source());
            row.put("matches_reference", ref.matches(stats.parameters()));
            row.put("gmacs", stats.multiplyAdds() / 1e9);
            row.put("input", entry.defaultInput().toString());
            row.put("top1", ref.top1());
            row.put("top1_source", ref.top1Source());
            row.put("description", entry.description());
            rows.add(row);
        }
        PrintWriter out = spec.commandLine().getOut();
        if (rows.isEmpty()) {
            throw new IllegalArgumentException("no model of family '" + family + "'");
        }
        if (json) {
            out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(rows));
            out.flush();
            return 0;
        }
        Table table = new Table("name", "family", "parameters", "reference", "GMACs", "input", "top-1", "description")
                .rightAlign(2, 3, 4, 6);
        for (Map<String, Object> row : rows) {
            long precision = (Long) row.get("reference_precision");
            String reference = (Boolean) row.get("matches_reference")
                    ? (precision == 1 ? "exact" : "= " + ((Long) row.get("reference_parameters") / precision) + "M")
                    : "MISMATCH " + Formats.count((Long) row.get("reference_parameters"));
            Double top1 = (Double) row.get("top1");
            table.row(row.get("name"), row.get("family"), Formats.count((Long) row.get("parameters")), reference,
                    String.format(java.util.Locale.ROOT, "%.2f", (Double) row.get("gmacs")), row.get("input"),
                    top1 == null ? "-" : String.format(java.util.Locale.ROOT, "%.2f", top1), row.get("description"));
        }
        table.print(out);
        out.println();
        out.println("reference: parameter count equal to torchvision 0.14's (exact) or to the paper's millions (= NM).");
        out.println("top-1: torchvision's IMAGENET1K_V1 weights, or the paper's single-scale figure; see 'list --json'.");
        out.flush();
        return 0;
    }
}

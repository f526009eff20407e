package org.repzoo.reparam;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.Optional;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.repzoo.zoo.Zoo;
import org.repzoo.zoo.core.GraphStats;
import org.repzoo.zoo.core.InputShape;
import org.repzoo.zoo.core.ModelFiles;
import org.repzoo.zoo.core.Provenance;

/**
 * {@code repzoo convert}: re-parameterises a model zip's RepVGG blocks (and, if asked, folds every remaining
 * conv-BN pair), and checks the result against the original on a random input.
 */
public final class Conversion {

    /**
     * What a conversion did and measured (parameters: learnable ones, as PyTorch counts them).
     *
     * @param input the input shape of the check (the model's, from its provenance)
     */
    public record Report(int blocks, int foldedPairs, long parametersBefore, long parametersAfter, double maxAbsDifference,
                         double maxRelativeDifference, InputShape input) {
    }

    private Conversion() {
    }

    /** The source graph, the converted one with the provenance it is to carry, and the report of the conversion. */
    public record Converted(ComputationGraph source, ComputationGraph graph, String provenance, Report report) {
    }

    /** Converts {@code in} and writes the result as a model zip to {@code out}. */
    public static Converted run(Path in, Path out, boolean foldBatchNorm) throws IOException {
        Converted converted = convert(in, foldBatchNorm);
        ModelFiles.save(converted.graph(), out, Map.of(ModelFiles.PROVENANCE, converted.provenance()));
        return converted;
    }

    /**
     * Converts {@code in}, checks the result, and writes nothing.
     *
     * @throws NothingToConvertException when there is nothing to do: no RepVGG block (and folding not asked for)
     */
    public static Converted convert(Path in, boolean foldBatchNorm) throws IOException {
        ComputationGraph source = ModelFiles.load(in);
        Optional<Provenance> provenance = Provenance.of(in);
        int blocks = Reparameterizer.blocks(source.getConfiguration()).size();
        int pairs = 0;
        if (blocks == 0 && !foldBatchNorm) {
            throw new NothingToConvertException(in.getFileName() + " has no RepVGG blocks to re-parameterise", true);
        }
        ComputationGraph converted = blocks > 0 ? Reparameterizer.reparameterize(source) : source;
        if (foldBatchNorm) {
            pairs = BatchNormFolder.pairs(converted.getConfiguration()).size();
            if (pairs == 0 && blocks == 0) {
                throw new NothingToConvertException(in.getFileName() + " has neither RepVGG blocks nor conv + BatchNorm"
                        + " pairs", false);
            }
            if (pairs > 0) {
                converted = BatchNormFolder.foldBatchNorm(converted);
            }
        }
        InputShape input = provenance.map(p -> InputShape.parse(p.input())).orElse(InputShape.of(3, 224, 224));
        INDArray x = Nd4j.rand(source.params().dataType(), 2, input.channels(), input.height(), input.width());
        INDArray expected = source.outputSingle(false, x);
        INDArray actual = converted.outputSingle(false, x);
        double maxAbs = expected.sub(actual).amaxNumber().doubleValue();
        double maxRelative = maxAbs / expected.amaxNumber().doubleValue();
        Report report = new Report(blocks, pairs, GraphStats.of(source.getConfiguration(), input).parameters(),
                GraphStats.of(converted.getConfiguration(), input).parameters(), maxAbs, maxRelative, input);
        return new Converted(source, converted, provenance(in, provenance, blocks, pairs), report);
    }

    /** The source's provenance, now naming the deploy-form architecture where one is registered, and the conversion. */
    private static String provenance(Path in, Optional<Provenance> source, int blocks, int pairs) throws IOException {
        ObjectMapper json = new ObjectMapper();
        ObjectNode node = source.isPresent() ? (ObjectNode) json.readTree(source.get().toJson()) : json.createObjectNode();
        node.remove("state_dict_order");
        if (source.isPresent() && blocks > 0 && pairs == 0) {
            String deploy = source.get().architecture() + "_deploy";
            if (Zoo.registry().contains(deploy)) {
                node.put("architecture", deploy);
            }
        }
        ObjectNode conversion = node.putObject("converted");
        conversion.put("from", in.getFileName().toString());
        conversion.put("repvgg_blocks", blocks);
        conversion.put("folded_batch_norms", pairs);
        conversion.put("at", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
        return json.writerWithDefaultPrettyPrinter().writeValueAsString(node);
    }

}

package org.repzoo.spark;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import org.repzoo.evaluation.data.BadInput;
import org.repzoo.evaluation.engine.EvaluationResult;
import org.repzoo.evaluation.engine.ProtocolResult;
import org.repzoo.evaluation.metrics.Accuracy;

/**
 * What one Spark task sends back: the counts of its images per protocol (added up on the driver), its bad inputs and
 * NaN images in order, and its prediction lines. Counts, not per-image scores: a thousand-class score vector per
 * image and protocol would make the driver's input as large as the dataset's scores.
 */
record PartitionResult(int partition, ArrayList<Accuracy> accuracies, long images, long viewsRun,
                       ArrayList<String[]> badInputs, long badInputCount, ArrayList<String> nanImages,
                       long nanImageCount, long upscaled, double modelSeconds, double waitSeconds,
                       double batchingSeconds, double prepareSeconds, ArrayList<String> predictionLines)
        implements Serializable {

    static PartitionResult of(int partition, EvaluationResult result, List<String> predictionLines) {
        ArrayList<Accuracy> accuracies = new ArrayList<>();
        for (ProtocolResult protocol : result.results()) {
            accuracies.add(protocol.accuracy());
        }
        ArrayList<String[]> bad = new ArrayList<>();
        for (BadInput input : result.badInputs()) {
            bad.add(new String[] {input.path(), input.problem()});
        }
        return new PartitionResult(partition, accuracies, result.images(), result.viewsRun(), bad,
                result.badInputCount(), new ArrayList<>(result.nanImages()), result.nanImageCount(), result.upscaled(),
                result.timings().model(), result.timings().waiting(), result.timings().batching(),
                result.timings().prepare(), new ArrayList<>(predictionLines));
    }

    List<BadInput> bad() {
        return badInputs.stream().map(entry -> new BadInput(entry[0], entry[1])).toList();
    }
}

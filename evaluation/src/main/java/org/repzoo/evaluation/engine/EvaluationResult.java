package org.repzoo.evaluation.engine;

import java.util.List;
import org.repzoo.evaluation.data.BadInput;

/**
 * What an evaluation found.
 *
 * @param results      one per protocol, in the order asked
 * @param images       images evaluated (bad ones excluded)
 * @param viewsRun     distinct views run through the models (shared views once), summed over models
 * @param badInputs    bad inputs found (listed up to {@link Evaluation#LISTED}), with {@code badInputCount}
 * @param badInputCount all bad inputs
 * @param nanImages    images whose scores held a NaN in some protocol (listed up to {@link Evaluation#LISTED})
 * @param nanImageCount all such images
 * @param upscaled     images whose shorter side was below the crop size (upscaled, as torchvision does)
 * @param timings      where the time went
 */
public record EvaluationResult(List<ProtocolResult> results, long images, long viewsRun, List<BadInput> badInputs,
                               long badInputCount, List<String> nanImages, long nanImageCount, long upscaled,
                               Timings timings) {

    public double imagesPerSecond() {
        return timings.total() > 0 ? images / timings.total() : 0;
    }

    public double viewsPerSecond() {
        return timings.total() > 0 ? viewsRun / timings.total() : 0;
    }
}

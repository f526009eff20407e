package org.repzoo.evaluation.engine;

/**
 * How an evaluation runs (not what it computes).
 *
 * @param batchSize   classifier views per forward pass
 * @param workers     threads decoding and cutting views ahead of the model
 * @param window      images prepared ahead at most beyond one batch's (bounds memory: a 144-view image holds 22 MB of
 *                    patches); the evaluation adds the images of one batch, which the workers prepare while the
 *                    model runs the one before
 * @param badInputs   stop at the first bad input, or count and list them
 * @param smallImages images whose shorter side is below the crop: upscaled like torchvision, or refused
 */
public record EvaluationOptions(int batchSize, int workers, int window, BadInputs badInputs, SmallImages smallImages) {

    /** What a bad input (corrupt file, missing label, empty class folder) does. */
    public enum BadInputs { STOP, SKIP }

    /**
     * Images smaller than the crop. Every protocol resizes the shorter side to its scale first, so torchvision (and
     * the published accuracies) upscale them; {@code REFUSE} treats them as bad inputs instead.
     */
    public enum SmallImages { UPSCALE, REFUSE }

    public EvaluationOptions {
        if (batchSize < 1 || workers < 1 || window < 1) {
            throw new IllegalArgumentException("batch, workers and window must be at least 1, got " + batchSize + ", "
                    + workers + ", " + window);
        }
    }

    /** Batch 16; half the processors (at most 8) decode, the model's BLAS threads use the rest. */
    public static EvaluationOptions defaults() {
        int workers = Math.max(1, Math.min(8, Runtime.getRuntime().availableProcessors() / 2));
        return new EvaluationOptions(16, workers, 2 * workers + 2, BadInputs.STOP, SmallImages.UPSCALE);
    }

    public EvaluationOptions withBatchSize(int size) {
        return new EvaluationOptions(size, workers, window, badInputs, smallImages);
    }

    public EvaluationOptions withWorkers(int count) {
        return new EvaluationOptions(batchSize, count, 2 * count + 2, badInputs, smallImages);
    }

    public EvaluationOptions with(BadInputs policy) {
        return new EvaluationOptions(batchSize, workers, window, policy, smallImages);
    }

    public EvaluationOptions with(SmallImages policy) {
        return new EvaluationOptions(batchSize, workers, window, badInputs, policy);
    }
}

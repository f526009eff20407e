package org.repzoo.evaluation.engine;

import org.repzoo.evaluation.data.BadInput;
import org.repzoo.evaluation.data.Sample;
import org.repzoo.evaluation.image.RgbImage;

/**
 * One image made ready by a worker: its views and their patches, or the reason it cannot be evaluated.
 *
 * @param sample        the dataset entry
 * @param plan          the distinct views (null when bad)
 * @param patches       one patch per distinct view (null when bad); entries are cleared once run
 * @param problem       why the image cannot be evaluated, or null
 * @param upscaled      whether the image's shorter side was below the crop size (upscaled, as torchvision does)
 * @param prepareNanos  worker time spent decoding and cutting
 */
record Prepared(Sample sample, ViewPlan plan, RgbImage[] patches, BadInput problem, boolean upscaled,
                long prepareNanos) {

    static Prepared bad(Sample sample, BadInput problem, long nanos) {
        return new Prepared(sample, null, null, problem, false, nanos);
    }
}

package org.repzoo.reparam;

import org.nd4j.linalg.api.ndarray.INDArray;

/** A BatchNorm in inference mode: {@code y = gamma * (x - mean) / sqrt(var + eps) + beta}, per channel. */
public record BatchNormStats(INDArray gamma, INDArray beta, INDArray mean, INDArray var, double eps) {

    public BatchNormStats {
        long n = gamma.length();
        if (beta.length() != n || mean.length() != n || var.length() != n) {
            throw new IllegalArgumentException("BatchNorm statistics of different lengths");
        }
        if (!(eps > 0)) {
            throw new IllegalArgumentException("BatchNorm eps must be positive, got " + eps);
        }
    }

    public long channels() {
        return gamma.length();
    }
}

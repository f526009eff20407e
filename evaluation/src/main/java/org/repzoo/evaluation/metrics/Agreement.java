package org.repzoo.evaluation.metrics;

import java.util.Map;

/**
 * How closely one model's scores follow another's on the same images: how often the top-1 class is the same (by
 * {@link Ranking}'s order), the largest absolute score difference, and the largest absolute reference score (the
 * scale the difference is read against). Two forms of one model (RepVGG's train and deploy forms, DL4J and ONNX
 * Runtime, float and INT8) are compared this way.
 *
 * @param images         images compared
 * @param samePrediction images whose top-1 class is the same
 */
public record Agreement(int images, int samePrediction, double maxAbsDifference, double maxAbsLogit) {

    /**
     * @param reference scores per image (by any key: a path), the model compared against
     * @param other     scores of the other model for the same keys
     * @throws IllegalArgumentException when an image or a class is missing from {@code other}
     */
    public static Agreement of(Map<String, double[]> reference, Map<String, double[]> other) {
        int same = 0;
        double maxDifference = 0;
        double maxLogit = 0;
        for (Map.Entry<String, double[]> entry : reference.entrySet()) {
            double[] a = entry.getValue();
            double[] b = other.get(entry.getKey());
            if (b == null || b.length != a.length) {
                throw new IllegalArgumentException("no scores of " + a.length + " classes for " + entry.getKey());
            }
            same += Ranking.top(a, 1)[0] == Ranking.top(b, 1)[0] ? 1 : 0;
            for (int i = 0; i < a.length; i++) {
                maxDifference = Math.max(maxDifference, Math.abs(a[i] - b[i]));
                maxLogit = Math.max(maxLogit, Math.abs(a[i]));
            }
        }
        return new Agreement(reference.size(), same, maxDifference, maxLogit);
    }
}

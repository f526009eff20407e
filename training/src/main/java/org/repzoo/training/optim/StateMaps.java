package org.repzoo.training.optim;

import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Reads an updater's named state arrays, failing with the keys found when one is missing. */
final class StateMaps {

    private StateMaps() {
    }

    static INDArray require(Map<String, INDArray> state, String key) {
        INDArray array = state.get(key);
        if (array == null) {
            throw new IllegalStateException("updater state has no '" + key + "' array (keys: " + state.keySet() + ")");
        }
        return array;
    }
}

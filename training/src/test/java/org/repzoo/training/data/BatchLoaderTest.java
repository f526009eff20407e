package org.repzoo.training.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.repzoo.evaluation.data.IdxDataset;
import org.repzoo.training.recipe.Augmentation;
import org.repzoo.zoo.core.EvalPreset;

class BatchLoaderTest {

    @TempDir
    Path dir;

    private static final EvalPreset PRESET = new EvalPreset(12, 12, EvalPreset.Interpolation.BILINEAR, List.of(0.3),
            List.of(0.3), EvalPreset.ChannelOrder.RGB, 1);

    @Test
    void aBatchIsTheSameWhateverTheThreadCount() throws Exception {
        IdxDataset data = IdxDataset.open(IdxFiles.write(dir, 40, 12, 4, 1), "train");
        Augmenter augmenter = new Augmenter(Augmentation.padCrop(12, 2, Augmentation.Flip.HORIZONTAL), PRESET);
        int[] rows = {5, 0, 39, 17, 8, 8, 22};
        INDArray one;
        INDArray three;
        try (BatchLoader loader = new BatchLoader(data, augmenter, PRESET, 9, 1)) {
            one = loader.load(rows, 3).features();
        }
        BatchLoader.Batch batch;
        try (BatchLoader loader = new BatchLoader(data, augmenter, PRESET, 9, 3)) {
            batch = loader.load(rows, 3);
            three = batch.features();
            // the same example in another epoch is augmented differently
            assertEquals(false, loader.load(rows, 4).features().equals(three));
        }
        assertArrayEquals(new long[] {7, 1, 12, 12}, three.shape());
        assertEquals(one, three);
        for (int i = 0; i < rows.length; i++) {
            assertEquals(rows[i] % 4, batch.labelIndices()[i]);
            assertEquals(1.0, batch.labels().getDouble(i, rows[i] % 4));
            assertEquals(1.0, batch.labels().getRow(i).sumNumber().doubleValue());
        }
    }
}

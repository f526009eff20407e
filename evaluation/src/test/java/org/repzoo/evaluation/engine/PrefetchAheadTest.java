package org.repzoo.evaluation.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.repzoo.evaluation.EvalSet;
import org.repzoo.evaluation.data.BadInput;
import org.repzoo.evaluation.data.Dataset;
import org.repzoo.evaluation.data.Sample;
import org.repzoo.evaluation.data.Selection;
import org.repzoo.evaluation.image.RgbImage;
import org.repzoo.evaluation.model.ImageModel;
import org.repzoo.evaluation.protocol.ProtocolName;
import org.repzoo.evaluation.protocol.ProtocolSettings;

/**
 * While the model runs one batch, the workers prepare the whole next one: with only the options' window ahead (4
 * images for one worker), the model waited after every batch for the other 12 images of the next to be decoded.
 */
class PrefetchAheadTest {

    private static final int BATCH = 16;
    private static final int IMAGES = 48;
    private static final int CLASSES = 3;

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void theWorkersPrepareTheNextBatchWhileTheModelRunsOne() throws IOException {
        AtomicInteger reads = new AtomicInteger();
        RgbImage image = RgbImage.black(EvalSet.PRESET.resizeSize(), EvalSet.PRESET.resizeSize());
        List<Sample> samples = new ArrayList<>();
        for (int i = 0; i < IMAGES; i++) {
            samples.add(new Sample("image" + i, i % CLASSES, () -> {
                reads.incrementAndGet();
                return image;
            }));
        }
        AtomicInteger readsWhenTheFirstBatchRan = new AtomicInteger(-1);
        ImageModel model = new ImageModel() {
            @Override
            public float[] logits(float[] pixels, int images, int channels, int height, int width) {
                if (images == BATCH && readsWhenTheFirstBatchRan.get() < 0) {
                    // Give the worker time to fill what it may (it blocks when the window is full), then count.
                    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                    while (reads.get() < 2 * BATCH && System.nanoTime() < end) {
                        Thread.onSpinWait();
                    }
                    readsWhenTheFirstBatchRan.set(reads.get());
                }
                return new float[images * CLASSES];
            }

            @Override
            public boolean threadSafe() {
                return true;
            }

            @Override
            public String engine() {
                return "counting";
            }
        };
        Member member = new Member("counting", null, model, () -> model, EvalSet.PRESET);
        EvaluationOptions options = EvaluationOptions.defaults().withBatchSize(BATCH).withWorkers(1);
        Evaluation.Setup setup = new Evaluation.Setup(List.of(member), new CountedImages(samples), Selection.all(),
                List.of(ProtocolSettings.defaults().protocol(ProtocolName.SINGLE, EvalSet.PRESET)), options, null);

        EvaluationResult result = Evaluation.run(setup, (done, total) -> { });

        assertEquals(IMAGES, result.images());
        assertEquals(IMAGES, reads.get());
        assertTrue(readsWhenTheFirstBatchRan.get() >= 2 * BATCH, "while the first batch ran, the worker had read "
                + readsWhenTheFirstBatchRan.get() + " images; the next batch ends at image " + 2 * BATCH);
    }

    /** The test's images, in memory (their sources count the reads). */
    private record CountedImages(List<Sample> samples) implements Dataset {

        @Override
        public String kind() {
            return "memory";
        }

        @Override
        public String location() {
            return "memory";
        }

        @Override
        public List<String> classNames() {
            return List.of("a", "b", "c");
        }

        @Override
        public List<BadInput> problems() {
            return List.of();
        }
    }
}

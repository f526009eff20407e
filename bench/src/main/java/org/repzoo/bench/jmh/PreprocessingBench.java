package org.repzoo.bench.jmh;

import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.repzoo.evaluation.image.CenterCrop;
import org.repzoo.evaluation.image.Preprocessing;
import org.repzoo.evaluation.image.ResizeShort;
import org.repzoo.evaluation.image.RgbImage;
import org.repzoo.zoo.core.EvalPreset;

/**
 * The evaluation pipeline's per-image work on an ImageNet-sized photo (500x375, random pixels): torchvision's
 * antialiased bilinear resize of the short side to 256, the centre crop to 224, and the whole preset (resize, crop,
 * normalise into a float tensor). One thread: the pipeline runs one image per worker.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g"})
public class PreprocessingBench {

    private RgbImage photo;
    private RgbImage resized;
    private final ResizeShort resize = new ResizeShort(256, EvalPreset.Interpolation.BILINEAR);
    private final CenterCrop crop = new CenterCrop(224);

    @Setup
    public void setUp() {
        byte[] pixels = new byte[3 * 500 * 375];
        new Random(0).nextBytes(pixels);
        photo = new RgbImage(500, 375, pixels);
        resized = resize.apply(photo);
    }

    @Benchmark
    public RgbImage resizeShortSide() {
        return resize.apply(photo);
    }

    @Benchmark
    public RgbImage centerCrop() {
        return crop.apply(resized);
    }

    @Benchmark
    public float[] wholePreset() {
        return Preprocessing.apply(photo, EvalPreset.TORCHVISION_IMAGENET);
    }
}

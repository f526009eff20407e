package org.repzoo.evaluation.protocol;

import java.util.List;
import org.repzoo.zoo.core.EvalPreset;

/**
 * What a user may set about the protocols, and the defaults where nothing is set. The crop size and the
 * single-crop resize come from the model's {@link EvalPreset}; the papers' scale sets are for 224 crops and are
 * multiplied by {@code crop / 224} for other crops ([ours], docs/PROTOCOLS.md §3.2's rule for GoogLeNet at 299).
 *
 * @param resize        shorter side for {@code single} and {@code ten-crop}; 0: the preset's
 * @param scales        the scale set of {@code multi-scale}, {@code multi-crop}, {@code dense} and
 *                      {@code googlenet-144}; empty: each protocol's paper default
 * @param trainingScale VGG's training scale, from which {@code single} and the scale sets follow (§1.2); null: none
 * @param denseMirror   whether dense evaluation adds the mirrored image (VGG: yes; ResNet's text: no)
 */
public record ProtocolSettings(int resize, List<Integer> scales, TrainingScale trainingScale,
                               DenseViews.Mirroring denseMirror) {

    /** VGG's jittered-model test scales {256, 384, 512} (§4.2, Tables 4 and 5), for 224 crops. */
    public static final List<Integer> VGG_SCALES = List.of(256, 384, 512);

    public ProtocolSettings {
        scales = scales == null ? List.of() : List.copyOf(scales);
        if (resize < 0) {
            throw new IllegalArgumentException("resize must be positive, got " + resize);
        }
        if (denseMirror == null) {
            denseMirror = DenseViews.Mirroring.WITH_MIRROR;
        }
    }

    public static ProtocolSettings defaults() {
        return new ProtocolSettings(0, List.of(), null, DenseViews.Mirroring.WITH_MIRROR);
    }

    public ProtocolSettings withResize(int newResize) {
        return new ProtocolSettings(newResize, scales, trainingScale, denseMirror);
    }

    public ProtocolSettings withScales(List<Integer> newScales) {
        return new ProtocolSettings(resize, newScales, trainingScale, denseMirror);
    }

    public ProtocolSettings withTrainingScale(TrainingScale scale) {
        return new ProtocolSettings(resize, scales, scale, denseMirror);
    }

    public ProtocolSettings withDenseMirror(DenseViews.Mirroring mirroring) {
        return new ProtocolSettings(resize, scales, trainingScale, mirroring);
    }

    /** The protocol {@code name} for a model with evaluation preset {@code preset}. */
    public Protocol protocol(ProtocolName name, EvalPreset preset) {
        int crop = preset.cropSize();
        return switch (name) {
            case SINGLE -> new CenterCrops("single", List.of(singleScale(preset)), crop);
            case MULTI_SCALE -> new CenterCrops("multi-scale", scaleSet(crop), crop);
            case TEN_CROP -> new TenCrop(resize > 0 ? resize : preset.resizeSize(), crop);
            case MULTI_CROP -> new GridCrops(scaleSet(crop), crop, GridCrops.VGG_CELLS);
            case GOOGLENET_144 -> scales.isEmpty() ? GoogLeNetCrops.forCrop(crop) : new GoogLeNetCrops(scales, crop);
            case DENSE -> new DenseViews(scaleSet(crop), crop, denseMirror);
            case DENSE_MULTI_CROP -> new AverageOf("dense+multi-crop", List.of(
                    new DenseViews(scaleSet(crop), crop, denseMirror),
                    new GridCrops(scaleSet(crop), crop, GridCrops.VGG_CELLS)));
        };
    }

    private int singleScale(EvalPreset preset) {
        if (resize > 0) {
            return resize;
        }
        return trainingScale != null ? trainingScale.singleTestScale() : preset.resizeSize();
    }

    private List<Integer> scaleSet(int crop) {
        if (!scales.isEmpty()) {
            return scales;
        }
        if (trainingScale != null) {
            return trainingScale.testScales();
        }
        return VGG_SCALES.stream().map(s -> Geometry.scaleFor(s, crop)).toList();
    }
}

package org.repzoo.zoo.repvgg;

import java.util.List;

/**
 * A RepVGG variant as the official repository's {@code create_RepVGG_*} functions define it: blocks per stage
 * (stages 1-4; stage 0 is one block), width multipliers a (stages 1-3) and b (stage 4), the group count applied
 * to the even global layers 2, 4, ..., 26 ({@code optional_groupwise_layers}; 1 for the plain variants), and whether
 * every block has a squeeze-excitation block ({@code use_se}, RepVGG-D2se), which branches the train form has
 * (all three in every registered variant; fewer for the paper's ablation, Table 6), and the stride of each stage's
 * first block, stages 0-4 (2 everywhere in every registered variant, the official {@code _make_stage(..., stride=2)};
 * a 1 keeps the resolution of small inputs such as 28x28, where five stride-2 stages leave the last stage at 1x1).
 */
public record RepVggConfig(List<Integer> depths, List<Double> widthMultipliers, int groups, Attention attention,
                           Branches branches, List<Integer> strides) {

    /** What a block applies to its branch sum before the ReLU. */
    public enum Attention {
        NONE,
        /** The official {@code SEBlock} named {@code se} ({@code se.down}, {@code se.up}), out_channels // 16 wide. */
        SQUEEZE_EXCITATION
    }

    /**
     * The train form's branches beside the 3x3 conv + BN ({@code rbr_dense}), which every form keeps: the paper's
     * ablation (Section 4.3, Table 6) trains the same deploy architecture with fewer. The identity branch exists only
     * where the block keeps its channels and resolution.
     */
    public enum Branches {
        ALL(true, true), DENSE_AND_1X1(true, false), DENSE_AND_IDENTITY(false, true), DENSE(false, false);

        private final boolean pointwise;
        private final boolean identity;

        Branches(boolean pointwise, boolean identity) {
            this.pointwise = pointwise;
            this.identity = identity;
        }

        public boolean pointwise() {
            return pointwise;
        }

        public boolean identity() {
            return identity;
        }
    }

    /** The layers {@code g2_map}/{@code g4_map} group: global block index, stage 0 being layer 0. */
    static final List<Integer> GROUPWISE_LAYERS = List.of(2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26);
    private static final List<Integer> DEPTHS_A = List.of(2, 4, 14, 1);
    private static final List<Integer> DEPTHS_B = List.of(4, 6, 16, 1);

    /** The official first-block strides of stages 0-4. */
    public static final List<Integer> STRIDES = List.of(2, 2, 2, 2, 2);

    public static final RepVggConfig A0 = new RepVggConfig(DEPTHS_A, List.of(0.75, 0.75, 0.75, 2.5), 1);
    public static final RepVggConfig A1 = new RepVggConfig(DEPTHS_A, List.of(1.0, 1.0, 1.0, 2.5), 1);
    public static final RepVggConfig A2 = new RepVggConfig(DEPTHS_A, List.of(1.5, 1.5, 1.5, 2.75), 1);
    public static final RepVggConfig B0 = new RepVggConfig(DEPTHS_B, List.of(1.0, 1.0, 1.0, 2.5), 1);
    public static final RepVggConfig B1 = new RepVggConfig(DEPTHS_B, List.of(2.0, 2.0, 2.0, 4.0), 1);
    public static final RepVggConfig B2 = new RepVggConfig(DEPTHS_B, List.of(2.5, 2.5, 2.5, 5.0), 1);
    public static final RepVggConfig B3 = new RepVggConfig(DEPTHS_B, List.of(3.0, 3.0, 3.0, 5.0), 1);
    /** RepVGG-D2se: B2's widths, deeper stages, SE in every block (added to the official repository after the paper). */
    public static final RepVggConfig D2SE = new RepVggConfig(List.of(8, 14, 24, 1), List.of(2.5, 2.5, 2.5, 5.0), 1,
            Attention.SQUEEZE_EXCITATION);

    public RepVggConfig {
        depths = List.copyOf(depths);
        strides = List.copyOf(strides);
        widthMultipliers = List.copyOf(widthMultipliers);
        if (depths.size() != 4 || widthMultipliers.size() != 4 || groups < 1 || attention == null || branches == null
                || depths.stream().anyMatch(d -> d < 1) || widthMultipliers.stream().anyMatch(w -> !(w > 0))
                || strides.size() != 5 || strides.stream().anyMatch(s -> s < 1 || s > 2)) {
            throw new IllegalArgumentException("invalid RepVGG config " + depths + " " + widthMultipliers + " g" + groups
                    + " strides " + strides);
        }
    }

    /** The official strides. */
    public RepVggConfig(List<Integer> depths, List<Double> widthMultipliers, int groups, Attention attention,
                        Branches branches) {
        this(depths, widthMultipliers, groups, attention, branches, STRIDES);
    }

    /** With all branches. */
    public RepVggConfig(List<Integer> depths, List<Double> widthMultipliers, int groups, Attention attention) {
        this(depths, widthMultipliers, groups, attention, Branches.ALL);
    }

    /** Without attention, as the paper's variants. */
    public RepVggConfig(List<Integer> depths, List<Double> widthMultipliers, int groups) {
        this(depths, widthMultipliers, groups, Attention.NONE);
    }

    /** The same widths and depths with groups on the group-wise layers (B1g2, B1g4, ...). */
    public RepVggConfig withGroups(int groupCount) {
        return new RepVggConfig(depths, widthMultipliers, groupCount, attention, branches, strides);
    }

    /** The same network trained with other branches (the deploy form is unchanged). */
    public RepVggConfig withBranches(Branches newBranches) {
        return new RepVggConfig(depths, widthMultipliers, groups, attention, newBranches, strides);
    }

    /** The same network with other first-block strides in stages 0-4 (each 1 or 2). */
    public RepVggConfig withStrides(List<Integer> newStrides) {
        return new RepVggConfig(depths, widthMultipliers, groups, attention, branches, newStrides);
    }

    /** Other blocks per stage (stages 1-4) and every width multiplier times {@code widthFactor}: a CPU-sized net. */
    public RepVggConfig resized(List<Integer> newDepths, double widthFactor) {
        return new RepVggConfig(newDepths, widthMultipliers.stream().map(w -> w * widthFactor).toList(), groups,
                attention, branches, strides);
    }

    /** Groups of the block with this global index. */
    int groupsAt(int layerIndex) {
        return GROUPWISE_LAYERS.contains(layerIndex) ? groups : 1;
    }

    /** Output channels of stage 0 ({@code min(64, 64a)}) and of stages 1-4 ({@code 64a, 128a, 256a, 512b}). */
    int width(int stage) {
        if (stage == 0) {
            return Math.max(1, Math.min(64, (int) (64 * widthMultipliers.get(0))));
        }
        return Math.max(1, (int) ((32 << stage) * widthMultipliers.get(stage - 1)));
    }
}

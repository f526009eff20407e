package org.repzoo.zoo.repvgg;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.repzoo.zoo.core.Architecture;
import org.repzoo.zoo.core.BranchAblatable;
import org.repzoo.zoo.core.Conv;
import org.repzoo.zoo.core.GraphScope;
import org.repzoo.zoo.core.Inits;
import org.repzoo.zoo.core.KeyAdapter;
import org.repzoo.zoo.core.KeyScheme;
import org.repzoo.zoo.core.ModelOptions;
import org.repzoo.zoo.core.Resizable;
import org.repzoo.zoo.core.Restridable;
import org.repzoo.zoo.core.SettingException;
import org.repzoo.zoo.core.SqueezeExcitation;

/**
 * RepVGG (Ding et al., "RepVGG: Making VGG-style ConvNets Great Again", CVPR 2021) with the official repository's
 * ({@code DingXiaoH/RepVGG}, {@code repvgg.py}) module names. Stage 0 is one block ({@code stage0.rbr_dense.conv});
 * stages 1-4 are lists ({@code stage1.0.rbr_1x1.bn}); the head is {@code gap} and {@code linear}.
 *
 * <p>Train form: each block sums {@code rbr_dense} (3x3 conv + BN), {@code rbr_1x1} (1x1 conv + BN) and, where
 * in = out channels and stride 1, {@code rbr_identity} (a BN), at the vertex {@code add}, then {@code nonlinearity}
 * (ReLU). Deploy form: {@code rbr_reparam}, one 3x3 conv with bias, with the ReLU fused into it.
 *
 * <p>RepVGG-D2se (official repository, after the paper) puts the official {@code SEBlock} ({@code se.down},
 * {@code se.up}: 1x1 convs with bias, {@code out_channels // 16} internal neurons) between the branch sum (deploy:
 * {@code rbr_reparam}) and the ReLU, in every block including stage 0; re-parameterisation leaves it as it is. The
 * official block squeezes with {@code avg_pool2d(kernel_size=W)}: the global average pool used here for square inputs.
 * For H &gt; W it would average only the top W rows (or fail in its {@code view(-1, C, 1, 1)}); here every row counts.
 *
 * <p>timm's RepVGG ({@code timm/models/byobnet.py}, {@code RepVggBlock} in a {@code ByobNet}) holds the same tensors
 * under other names, which a key adapter maps ({@link #keySchemes}): {@code stage0} is {@code stem}, block B of stage S
 * is {@code stages.(S-1).B}; in a block {@code rbr_dense}, {@code rbr_1x1}, {@code rbr_identity} and
 * {@code rbr_reparam} are {@code conv_kxk}, {@code conv_1x1}, {@code identity} and {@code reparam_conv}, D2se's
 * {@code se.down}/{@code se.up} are {@code attn.fc1}/{@code attn.fc2}; {@code linear} is {@code head.fc}.
 */
public record RepVgg(RepVggConfig config, Form form)
        implements Architecture, Resizable, Restridable, BranchAblatable {

    /** The two forms of every variant: what is trained, and the plain stack it converts into. */
    public enum Form { TRAIN, DEPLOY }

    private static final double BN_EPS = 1e-5;

    /** A module inside a block, by the official name and by timm's. */
    private record BlockModule(String official, String timm) {
    }

    private static final List<BlockModule> TIMM_BLOCK_MODULES = List.of(
            new BlockModule("rbr_dense", "conv_kxk"), new BlockModule("rbr_1x1", "conv_1x1"),
            new BlockModule("rbr_identity", "identity"), new BlockModule("rbr_reparam", "reparam_conv"),
            new BlockModule("se.down", "attn.fc1"), new BlockModule("se.up", "attn.fc2"));

    @Override
    public RepVgg resized(List<Integer> depths, double widthFactor) {
        if (depths != null && depths.size() != 4) {
            throw new IllegalArgumentException("RepVGG has 4 stages after its stem: give 4 depths, got " + depths);
        }
        return new RepVgg(config.resized(depths == null ? config.depths() : depths, widthFactor), form);
    }

    /** Strides of the stem (stage 0) and of the first block of stages 1-4, each 1 or 2. */
    @Override
    public RepVgg withStrides(List<Integer> strides) {
        if (strides.size() != 5 || strides.stream().anyMatch(s -> s == null || s < 1 || s > 2)) {
            throw new SettingException("strides", "takes 5 strides of 1 or 2 (stages 0-4), got " + strides);
        }
        return new RepVgg(config.withStrides(strides), form);
    }

    @Override
    public boolean hasBranches() {
        return form == Form.TRAIN;
    }

    /** The train form with only these branches ({@link RepVggConfig.Branches}, in lower case); deploy is unchanged. */
    @Override
    public RepVgg withBranches(String branchSet) {
        RepVggConfig.Branches branches = Arrays.stream(RepVggConfig.Branches.values())
                .filter(b -> b.name().equalsIgnoreCase(branchSet)).findFirst()
                .orElseThrow(() -> new SettingException("branches", "takes one of "
                        + Arrays.stream(RepVggConfig.Branches.values()).map(b -> b.name().toLowerCase(Locale.ROOT))
                        .toList() + ", got '" + branchSet + "'"));
        return new RepVgg(config.withBranches(branches), form);
    }

    @Override
    public ComputationGraphConfiguration configure(String name, ModelOptions options) {
        GraphScope root = GraphScope.start(name, options.input(), options.seed());
        String x = block(root.child("stage0"), GraphScope.INPUT, config.width(0), config.strides().get(0), 1);
        int layer = 1;
        for (int stage = 1; stage <= 4; stage++) {
            GraphScope scope = root.child("stage" + stage);
            for (int b = 0; b < config.depths().get(stage - 1); b++) {
                x = block(scope.child(b), x, config.width(stage), b == 0 ? config.strides().get(stage) : 1,
                        config.groupsAt(layer++));
            }
        }
        x = root.globalAvgPool("gap", x);
        return root.build(root.logits("linear", x, options.numClasses(), Inits.linearDefault(config.width(4))));
    }

    /**
     * timm's names for this configuration's blocks (both forms: a checkpoint of the other form maps onto names the
     * graph lacks, and is reported as such).
     */
    @Override
    public Map<KeyScheme, KeyAdapter> keySchemes() {
        List<KeyAdapter.Rule> rules = new ArrayList<>();
        timmBlock(rules, "stage0", "stem");
        for (int stage = 1; stage <= 4; stage++) {
            for (int block = 0; block < config.depths().get(stage - 1); block++) {
                timmBlock(rules, "stage" + stage + "." + block, "stages." + (stage - 1) + "." + block);
            }
        }
        rules.add(KeyAdapter.Rule.rename("linear", "head.fc"));
        return Map.of(KeyScheme.TIMM, new KeyAdapter(rules));
    }

    private static void timmBlock(List<KeyAdapter.Rule> rules, String official, String timm) {
        for (BlockModule module : TIMM_BLOCK_MODULES) {
            rules.add(KeyAdapter.Rule.rename(official + "." + module.official(), timm + "." + module.timm()));
        }
    }

    /** The official fresh weights: PyTorch's default for every convolution ({@link OfficialInit}). */
    @Override
    public void initialize(ComputationGraph graph, ModelOptions options) {
        Architecture.super.initialize(graph, options);
        OfficialInit.apply(graph);
    }

    private String block(GraphScope scope, String input, int out, int stride, int groups) {
        boolean withSe = config.attention() == RepVggConfig.Attention.SQUEEZE_EXCITATION;
        if (form == Form.DEPLOY) {
            Conv reparam = Conv.of(out, 3).stride(stride).padding(1).groups(groups);
            if (!withSe) {
                return scope.conv("rbr_reparam", input, reparam.relu());
            }
            return scope.relu("nonlinearity", squeezeExcitation(scope, scope.conv("rbr_reparam", input, reparam)));
        }
        List<String> branches = new ArrayList<>();
        GraphScope dense = scope.child("rbr_dense");
        branches.add(dense.batchNorm("bn", dense.conv("conv", input,
                Conv.of(out, 3).stride(stride).padding(1).groups(groups).noBias()), BN_EPS));
        if (config.branches().pointwise()) {
            GraphScope pointwise = scope.child("rbr_1x1");
            branches.add(pointwise.batchNorm("bn", pointwise.conv("conv", input,
                    Conv.of(out, 1).stride(stride).groups(groups).noBias()), BN_EPS));
        }
        if (config.branches().identity() && stride == 1 && scope.channels(input) == out) {
            branches.add(scope.batchNorm("rbr_identity", input, BN_EPS));
        }
        String sum = branches.size() == 1 ? branches.get(0) : scope.add("add", branches.toArray(String[]::new));
        return scope.relu("nonlinearity", withSe ? squeezeExcitation(scope, sum) : sum);
    }

    private static String squeezeExcitation(GraphScope scope, String input) {
        int channels = scope.channels(input);
        return scope.squeezeExcitation("se", input, SqueezeExcitation.of(channels / 16).names("down", "up"));
    }
}

package org.repzoo.zoo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.vertex.VertexIndices;
import org.deeplearning4j.nn.weights.WeightInitReluUniform;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.repzoo.compat.Threads;
import org.repzoo.zoo.core.GradientChecks.Probe;
import org.repzoo.zoo.core.GradientChecks;
import org.repzoo.zoo.core.InferenceBatchNorm;
import org.repzoo.zoo.core.InputShape;
import org.repzoo.zoo.core.ModelEntry;
import org.repzoo.zoo.core.ModelOptions;

/**
 * DL4J's numerical gradient check over every registered model: backpropagation through the graph as the registry
 * wires it agrees with central differences of the score (GradientCheckUtil's loop, step and tolerances, in double
 * precision; {@link GradientChecks#probe}).
 *
 * <p>Each model runs at the smallest input it builds at (a ResNet or RepVGG at 1x1, Xception at 7x7, VGG at 32x32,
 * Inception v4 at 75x75), with 10 classes and a batch of 2; its auxiliary classifiers are built unless they need a
 * larger input than the rest of the net (Inception v3's need 299x299; GoogLeNet's are checked). Dropout layers become
 * the identity ({@link GradientChecks#forChecking}), as DL4J's checks require, and batch norm runs in inference mode
 * ({@link InferenceBatchNorm}): with a few examples at such inputs, training-mode statistics make a deep net's score
 * so curved that central differences are meaningless (ResNeXt-50: relative errors near 1 with correct code).
 *
 * <p>Weights are He-uniform, then scaled so that each hidden layer's output has unit magnitude ({@link #unitGain}):
 * the check holds for any weights, and these let a measurable gradient reach the stem.
 *
 * <p>Checking every element would take hours (a model has 1 to 140 million parameters, two forward passes each), so
 * each model checks the element with the largest backprop gradient (so that the check compares numbers and not two
 * zeros) of the stem's first parameter, whose gradient flows back through every vertex of the net: the check covers
 * each vertex's backward pass in the net's own wiring (residual sums, concatenations, scale vertices,
 * squeeze-excitation, pooling, padding, LRN); and of the first parameter of each layer class RepZoo implements itself
 * (the grouped convolution). Element-by-element checks of the custom layers and vertices are in the core package.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class RegistryGradientCheckTest {

    /** Ten, as the other registry tests: with three, all of NIN's ReLU-activated class maps were dead for the batch. */
    private static final int CLASSES = 10;
    private static final int BATCH = 2;
    private static final long SEED = 12345;
    /** Batch norm's running statistics: constants of an inference-mode pass, not learned by gradient. */
    private static final Set<String> NOT_LEARNED = Set.of("mean", "var", "log10stdev");

    private static int threads;

    /**
     * One native thread: at these sizes each operation is little work, and on a loaded machine OpenMP's spinning
     * threads made each forward pass up to ten times slower (ResNet-18 at 1x1 in doubles: 0.1 s against 1 s).
     */
    @BeforeAll
    static void oneThread() {
        threads = Threads.current();
        Threads.set(1);
    }

    @AfterAll
    static void restoreThreads() {
        Threads.set(threads);
    }

    static Stream<ModelEntry> entries() {
        return Zoo.registry().stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("entries")
    void backpropagationAgreesWithNumericalGradients(ModelEntry entry) {
        Result result = check(entry);
        List<Probe> failed = result.probes().stream().filter(p -> !p.passes()).toList();
        assertTrue(failed.isEmpty(), entry.name() + " at " + result.options().input() + ": " + failed.size() + " of "
                + result.probes().size() + " elements disagree: " + failed);
        assertEquals(result.kinds().size(), result.probes().size(), result.probes().toString());
        Probe stem = result.probes().get(0);
        // Large enough that a gradient 1% off would fail, not pass on DL4J's absolute floor.
        assertTrue(Math.abs(stem.backprop()) * 0.01 > GradientChecks.MIN_ABSOLUTE_ERROR,
                entry.name() + ": too little gradient reaches the stem to check: " + stem);
    }

    /** One model's check: the options it was built with, the parameters checked (key to kind), every element. */
    record Result(ModelOptions options, Map<String, String> kinds, List<Probe> probes) {
    }

    static Result check(ModelEntry entry) {
        ModelOptions options = options(entry);
        DataType previous = Nd4j.dataType();
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
        ComputationGraphConfiguration conf = GradientChecks.forChecking(entry.configure(options));
        uniformWeights(conf);
        ComputationGraph net = new ComputationGraph(conf);
        try {
            net.init();
            InferenceBatchNorm.install(net);
            Nd4j.getRandom().setSeed(SEED);
            InputShape shape = options.input();
            INDArray x = Nd4j.randn(DataType.DOUBLE, BATCH, shape.channels(), shape.height(), shape.width());
            unitGain(net, x);
            INDArray y = Nd4j.zeros(DataType.DOUBLE, BATCH, CLASSES);
            for (int i = 0; i < BATCH; i++) {
                y.putScalar(i, i % CLASSES, 1);
            }
            INDArray[] labels = new INDArray[net.getNumOutputArrays()];
            Arrays.fill(labels, y);
            Map<String, String> kinds = checkedParameters(net);
            List<Probe> probes = GradientChecks.probe(net, new INDArray[] {x}, labels,
                    (parameter, gradient) -> kinds.containsKey(parameter) ? largest(gradient) : new long[0]);
            return new Result(options, kinds, probes);
        } finally {
            net.close(); // up to 2 GB of doubles off the heap, which the garbage collector would free too late
            Nd4j.setDefaultDataTypes(previous, previous);
        }
    }

    /**
     * He-uniform weights instead of each layer's own initialisation: drawing 100 million normal doubles takes 4 s,
     * uniform ones under 1 s, and {@link #unitGain} sets the scale that matters here anyway.
     */
    private static void uniformWeights(ComputationGraphConfiguration conf) {
        for (GraphVertex vertex : conf.getVertices().values()) {
            if (vertex instanceof LayerVertex layer && layer.getLayerConf().getLayer() instanceof BaseLayer base) {
                base.setWeightInitFn(new WeightInitReluUniform());
            }
        }
    }

    /**
     * Scales each hidden layer's weights so that, for {@code x}, its output has a root mean square of 1. At the
     * smallest input a 3x3 convolution sees only its centre tap, a ninth of the fan-in its initialisation assumes, and
     * each squeeze-excitation gate halves the signal, so without this a deep plain stack (RepVGG-D2se's deploy form)
     * passes the stem 1e-22 of the gradient, far below what central differences resolve. The graph runs vertex by
     * vertex in topological order, each on its inputs as already rescaled, so each layer is measured on the signal it
     * will see (an estimate propagated from one unscaled pass drifts: a sigmoid gate does not scale with its input).
     * Layers with ReLU or no activation are positively homogeneous, so dividing the weights divides the output; a layer
     * with another activation (a sigmoid gate) and the classifiers keep their weights.
     */
    private static void unitGain(ComputationGraph net, INDArray x) {
        org.deeplearning4j.nn.graph.vertex.GraphVertex[] vertices = net.getVertices();
        INDArray[] activations = new INDArray[vertices.length];
        List<String> outputs = net.getConfiguration().getNetworkOutputs();
        LayerWorkspaceMgr noWorkspaces = LayerWorkspaceMgr.noWorkspaces();
        net.setInputs(x); // a layer's input preprocessor reads the batch size from the graph's input
        for (int index : net.topologicalSortOrder()) {
            var vertex = vertices[index];
            if (vertex.isInputVertex()) {
                activations[index] = x;
                continue;
            }
            VertexIndices[] inputs = vertex.getInputVertices();
            for (int i = 0; i < inputs.length; i++) {
                vertex.setInput(i, activations[inputs[i].getVertexIndex()], noWorkspaces);
            }
            INDArray output = vertex.doForward(false, noWorkspaces).dup();
            vertex.clear();
            INDArray weight = vertex.hasLayer() ? vertex.paramTable(false).get("W") : null;
            double gain = rms(output);
            if (weight != null && !outputs.contains(vertex.getVertexName())
                    && homogeneous(vertex.getLayer().conf().getLayer()) && gain > 0 && Double.isFinite(gain)) {
                weight.divi(gain);
                output.divi(gain);
            }
            activations[index] = output;
        }
    }

    private static boolean homogeneous(Layer layer) {
        return !(layer instanceof BaseLayer base) || base.getActivationFn() == null
                || base.getActivationFn() instanceof ActivationReLU
                || base.getActivationFn() instanceof ActivationIdentity;
    }

    private static double rms(INDArray values) {
        return values.norm2Number().doubleValue() / Math.sqrt(values.length());
    }

    /** The smallest input; auxiliary classifiers only where they build at the smallest input of the main net. */
    static ModelOptions options(ModelEntry entry) {
        ModelOptions options = ModelOptions.defaults().withClasses(CLASSES);
        InputShape withAux = SmallInputs.smallest(entry, options);
        InputShape withoutAux = SmallInputs.smallest(entry, options.withoutAuxLogits());
        return withAux.equals(withoutAux) ? options.withInput(withAux)
                : options.withoutAuxLogits().withInput(withoutAux);
    }

    /** The element with the largest backprop gradient (BLAS's iamax: no copy of a 100-million-element array). */
    private static long[] largest(INDArray gradient) {
        return new long[] {Nd4j.getBlasWrapper().iamax(gradient)};
    }

    /**
     * The parameters checked, key to kind (layer class and parameter name): the first learned one in the graph's order,
     * the stem's, whose gradient flows back through every vertex of the net; then the first of each kind that RepZoo
     * implements itself (a grouped convolution's weight), whose backward pass DL4J's own checks do not cover. The
     * kinds DL4J implements are left to its checks: each probe costs two forward passes, a third of a second for VGG.
     */
    static Map<String, String> checkedParameters(ComputationGraph net) {
        Map<String, String> checked = new LinkedHashMap<>();
        for (String key : GradientChecks.offsets(net.paramTable(), net.params()).keySet()) {
            int split = key.lastIndexOf('_');
            String parameter = key.substring(split + 1);
            GraphVertex vertex = net.getConfiguration().getVertices().get(key.substring(0, split));
            if (NOT_LEARNED.contains(parameter) || !(vertex instanceof LayerVertex layer)) {
                continue;
            }
            Class<?> layerClass = layer.getLayerConf().getLayer().getClass();
            String kind = layerClass.getSimpleName() + " " + parameter;
            boolean ownLayer = layerClass.getPackageName().startsWith("org.repzoo.");
            if (checked.isEmpty() || ownLayer && !checked.containsValue(kind)) {
                checked.put(key, kind);
            }
        }
        return checked;
    }
}

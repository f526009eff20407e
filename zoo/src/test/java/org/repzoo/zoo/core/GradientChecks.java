package org.repzoo.zoo.core;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.updater.graph.ComputationGraphUpdater;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.config.NoOp;

/** DL4J's numerical gradient check in double precision, as its own tests set it up. */
public final class GradientChecks {

    /** {@code GradientCheckUtil.GraphConfig}'s defaults: the step, and when a difference counts as a failure. */
    public static final double EPSILON = 1e-6;
    public static final double MAX_RELATIVE_ERROR = 1e-3;
    public static final double MIN_ABSOLUTE_ERROR = 1e-8;

    private GradientChecks() {
    }

    /** Builds the configuration in double precision with no updater and checks every parameter's gradient. */
    public static boolean pass(ComputationGraphConfiguration conf, INDArray input, INDArray labels) {
        return pass(conf, input, labels, net -> { });
    }

    /** As {@link #pass(ComputationGraphConfiguration, INDArray, INDArray)}, with {@code prepare} run on the net after init. */
    public static boolean pass(ComputationGraphConfiguration conf, INDArray input, INDArray labels,
                               Consumer<ComputationGraph> prepare) {
        DataType previous = Nd4j.dataType();
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
        try {
            ComputationGraph net = new ComputationGraph(forChecking(conf));
            net.init();
            prepare.accept(net);
            return GradientCheckUtil.checkGradients(new GradientCheckUtil.GraphConfig().net(net)
                    .inputs(new INDArray[] {input.castTo(DataType.DOUBLE)})
                    .labels(new INDArray[] {labels.castTo(DataType.DOUBLE)}));
        } finally {
            Nd4j.setDefaultDataTypes(previous, previous);
        }
    }

    /**
     * {@code conf} (changed in place) as DL4J's gradient checks need it: double precision, no updater, and neither
     * regularization (the score would count it, the backprop gradient does not) nor dropout (a random mask per
     * forward pass): a dropout layer becomes the identity.
     */
    public static ComputationGraphConfiguration forChecking(ComputationGraphConfiguration conf) {
        conf.setDataType(DataType.DOUBLE);
        for (var vertex : conf.getVertices().values()) {
            if (vertex instanceof LayerVertex lv) {
                lv.getLayerConf().getLayer().setIDropout(null);
                if (lv.getLayerConf().getLayer() instanceof BaseLayer layer) {
                    layer.setIUpdater(new NoOp());
                    layer.setBiasUpdater(new NoOp());
                    layer.setRegularization(new ArrayList<>());
                    layer.setRegularizationBias(new ArrayList<>());
                }
            }
        }
        return conf;
    }

    /**
     * One checked element: {@code index} within parameter {@code parameter} (DL4J's key, e.g. {@code layer1.0.conv1_W}),
     * its gradient from backpropagation and from central differences of the score.
     */
    public record Probe(String parameter, long index, double backprop, double numerical) {

        /** DL4J's relative error, |a - n| / (|a| + |n|), 0 where both are 0. */
        public double relativeError() {
            if (backprop == 0 && numerical == 0) {
                return 0;
            }
            return Math.abs(backprop - numerical) / (Math.abs(backprop) + Math.abs(numerical));
        }

        /** As GradientCheckUtil decides: within the relative error, or too small a difference to mean anything. */
        public boolean passes() {
            return relativeError() <= MAX_RELATIVE_ERROR || Math.abs(backprop - numerical) < MIN_ABSOLUTE_ERROR;
        }

        @Override
        public String toString() {
            return String.format("%s[%d]: backprop %.6e, numerical %.6e, relative error %.2e", parameter, index,
                    backprop, numerical, relativeError());
        }
    }

    /** Which elements of a parameter to check, from its backprop gradient (flattened as in {@code net.params()}). */
    @FunctionalInterface
    public interface Chooser {
        /** Indices within {@code gradient}; none to leave the parameter out. */
        long[] elements(String parameter, INDArray gradient);
    }

    /** Every element of every parameter, as GradientCheckUtil checks (for small nets). */
    public static Chooser everyElement() {
        return (parameter, gradient) -> java.util.stream.LongStream.range(0, gradient.length()).toArray();
    }

    /**
     * GradientCheckUtil's graph check on chosen elements only; the chooser sees the parameters in the order of the flat
     * parameter array (the graph's topological order). M2.1's {@code GraphConfig} has {@code subset} and
     * {@code maxPerParam}, but {@code checkGradients(GraphConfig)} never reads them and visits every parameter (only
     * the {@code MLNConfig} path subsets), which for a registered model is hours. This is its loop: one backward pass
     * in training mode, then for each chosen element the score in training mode at w + epsilon and w - epsilon, and
     * DL4J's relative error. {@code net} must be in double precision ({@link #forChecking}).
     */
    public static List<Probe> probe(ComputationGraph net, INDArray[] inputs, INDArray[] labels, Chooser chooser) {
        if (net.params().dataType() != DataType.DOUBLE || Nd4j.dataType() != DataType.DOUBLE) {
            throw new IllegalStateException("gradient checks need double precision, got parameters of "
                    + net.params().dataType() + " and a default of " + Nd4j.dataType());
        }
        Map<String, Long> offsets = offsets(net.paramTable(), net.params());
        net.setInputs(inputs);
        net.setLabels(labels);
        net.computeGradientAndScore();
        Gradient backprop = net.gradient();
        if (!offsets(backprop.gradientForVariable(), backprop.gradient()).equals(offsets)) {
            throw new IllegalStateException("the gradient is not laid out as the parameters");
        }
        // As GradientCheckUtil: the updater (a no-op) divides the summed gradient by the batch size, as the score is.
        new ComputationGraphUpdater(net).update(backprop, 0, 0, net.batchSize(), LayerWorkspaceMgr.noWorkspaces());
        INDArray gradient = backprop.gradient().reshape(-1);
        INDArray params = net.params().reshape(-1);
        // Every backprop value is read before any forward pass: the gradient is a view that later passes may reuse.
        List<Probe> pending = new ArrayList<>();
        for (Map.Entry<String, Long> parameter : offsets.entrySet()) {
            long offset = parameter.getValue();
            long length = net.paramTable().get(parameter.getKey()).length();
            INDArray slice = gradient.get(NDArrayIndex.interval(offset, offset + length));
            for (long index : chooser.elements(parameter.getKey(), slice)) {
                pending.add(new Probe(parameter.getKey(), index, gradient.getDouble(offset + index), Double.NaN));
            }
        }
        MultiDataSet data = new MultiDataSet(inputs, labels);
        List<Probe> probes = new ArrayList<>();
        for (Probe probe : pending) {
            long flat = offsets.get(probe.parameter()) + probe.index();
            double original = params.getDouble(flat);
            params.putScalar(flat, original + EPSILON);
            double plus = net.score(data, true);
            params.putScalar(flat, original - EPSILON);
            double minus = net.score(data, true);
            params.putScalar(flat, original);
            probes.add(new Probe(probe.parameter(), probe.index(), probe.backprop(), (plus - minus) / (2 * EPSILON)));
        }
        return probes;
    }

    /**
     * Where each parameter's view starts in {@code flat} ({@code net.params()} or the flattened gradient), in the
     * order of the flat array. That is not always the parameter table's order (a ResNet's downsampling branch comes
     * later in the table than in the array), which GradientCheckUtil assumes when it names a parameter or skips one.
     */
    public static Map<String, Long> offsets(Map<String, INDArray> views, INDArray flat) {
        List<Map.Entry<String, INDArray>> sorted = new ArrayList<>(views.entrySet());
        sorted.sort(java.util.Comparator.comparingLong(e -> e.getValue().offset()));
        Map<String, Long> offsets = new LinkedHashMap<>();
        long expected = 0;
        for (Map.Entry<String, INDArray> view : sorted) {
            long offset = view.getValue().offset() - flat.offset();
            if (offset != expected || view.getValue().data().address() != flat.data().address()) {
                throw new IllegalStateException(view.getKey() + " is not the view of the flat array at " + expected);
            }
            offsets.put(view.getKey(), offset);
            expected += view.getValue().length();
        }
        if (expected != flat.length()) {
            throw new IllegalStateException("the views hold " + expected + " of " + flat.length() + " values");
        }
        return offsets;
    }
}

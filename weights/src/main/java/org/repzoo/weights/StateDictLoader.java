package org.repzoo.weights;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.repzoo.weights.format.StoredTensor;
import org.repzoo.zoo.core.WeightKeys;

/**
 * Fills a graph from a PyTorch state_dict whose keys are the graph's vertex names (torchvision's naming; other
 * schemes are renamed to it first). Uses the {@link WeightKeys} table; linear weights are transposed.
 * Strict loading checks everything first and changes nothing unless every key fits. Tensors are read one at a
 * time, so memory beyond the graph stays at one tensor.
 */
public final class StateDictLoader {

    private static final String IGNORED_SUFFIX = ".num_batches_tracked";

    /** STRICT: every key must fit or nothing is loaded. LENIENT: load what fits (e.g. a new head for fine-tuning). */
    public enum Mode { STRICT, LENIENT }

    /** Called after each tensor is copied, for progress reports. */
    @FunctionalInterface
    public interface Progress {
        void loaded(String key, long bytes);
    }

    private StateDictLoader() {
    }

    /** What loading {@code shapes} (key to PyTorch shape) into a graph of this configuration would find. */
    public static LoadReport check(ComputationGraphConfiguration conf, Map<String, long[]> shapes) {
        Map<String, WeightKeys.TorchParam> params = WeightKeys.torchParams(conf);
        Set<String> expectedKeys = new LinkedHashSet<>();
        List<String> missing = new ArrayList<>();
        List<LoadReport.Mismatch> mismatched = new ArrayList<>();
        for (WeightKeys.TorchParam p : params.values()) {
            expectedKeys.add(p.key());
            long[] found = shapes.get(p.key());
            if (found == null) {
                missing.add(p.key());
            } else if (!Arrays.equals(found, p.shape())) {
                mismatched.add(new LoadReport.Mismatch(p.key(), p.shape(), found));
            }
        }
        List<String> unexpected = new ArrayList<>();
        List<String> ignored = new ArrayList<>();
        for (String key : shapes.keySet()) {
            if (key.endsWith(IGNORED_SUFFIX)) {
                ignored.add(key);
            } else if (!expectedKeys.contains(key)) {
                unexpected.add(key);
            }
        }
        return new LoadReport(missing, unexpected, mismatched, ignored);
    }

    /** The PyTorch shape of each tensor. */
    public static Map<String, long[]> shapesOf(Map<String, ? extends StoredTensor> state) {
        Map<String, long[]> shapes = new LinkedHashMap<>();
        state.forEach((k, v) -> shapes.put(k, v.shape()));
        return shapes;
    }

    /**
     * Copies every fitting tensor into the graph. {@link Mode#STRICT} throws {@link WeightsMismatchException} listing
     * every problem and leaves the graph untouched unless the report is clean; {@link Mode#LENIENT} loads what fits.
     */
    public static LoadReport load(ComputationGraph graph, Map<String, ? extends StoredTensor> state, Mode mode,
                                  Progress progress) throws IOException {
        LoadReport report = check(graph.getConfiguration(), shapesOf(state));
        if (mode == Mode.STRICT && !report.clean()) {
            throw new WeightsMismatchException(report);
        }
        Set<String> skip = new LinkedHashSet<>(report.missing());
        report.mismatched().forEach(m -> skip.add(m.key()));
        for (Map.Entry<String, WeightKeys.TorchParam> e : WeightKeys.torchParams(graph.getConfiguration()).entrySet()) {
            WeightKeys.TorchParam p = e.getValue();
            if (skip.contains(p.key())) {
                continue;
            }
            StoredTensor tensor = state.get(p.key());
            INDArray target = graph.getParam(e.getKey());
            if (!Tensors.copyInto(tensor, target, p.transposed() ? 'f' : 'c')) {
                INDArray source = Tensors.toFloatArray(tensor, p.key());
                INDArray value = p.transposed() ? source.transpose() : source;
                target.assign(value.reshape(target.shape()));
            }
            progress.loaded(p.key(), tensor.numel() * tensor.dtype().width());
        }
        return report;
    }

    public static LoadReport load(ComputationGraph graph, Map<String, ? extends StoredTensor> state, Mode mode)
            throws IOException {
        return load(graph, state, mode, (key, bytes) -> { });
    }
}

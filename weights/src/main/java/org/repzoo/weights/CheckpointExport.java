package org.repzoo.weights;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.repzoo.weights.format.HostTensor;
import org.repzoo.weights.format.Npz;
import org.repzoo.weights.format.Safetensors;
import org.repzoo.weights.format.StoredTensor;
import org.repzoo.zoo.Zoo;
import org.repzoo.zoo.core.KeyAdapter;
import org.repzoo.zoo.core.KeyScheme;
import org.repzoo.zoo.core.ModelFiles;
import org.repzoo.zoo.core.Provenance;
import org.repzoo.zoo.core.WeightKeys;

/**
 * Writes a model's weights back as a PyTorch state_dict ({@code .npz} or {@code .safetensors}), float32, in PyTorch's
 * layout and with the reference's key names (or another scheme's). Buffers kept at import (BatchNorm's
 * {@code num_batches_tracked}) go back next to their module, and the checkpoint's key order is restored, so importing
 * a float32 checkpoint and exporting it reproduces every array exactly.
 */
public final class CheckpointExport {

    /** The output formats, chosen by the file's extension. */
    public enum Format {
        NPZ(".npz"), SAFETENSORS(".safetensors");

        private final String extension;

        Format(String extension) {
            this.extension = extension;
        }

        public static Format of(Path file) {
            String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
            for (Format format : values()) {
                if (name.endsWith(format.extension)) {
                    return format;
                }
            }
            throw new IllegalArgumentException(file.getFileName() + ": unknown output format (use .npz or .safetensors)");
        }
    }

    private CheckpointExport() {
    }

    /** The state_dict of a model zip, in the given scheme (null: the one it was imported with, else the reference). */
    public static Map<String, StoredTensor> stateDict(Path modelZip, KeyScheme scheme) throws IOException {
        ComputationGraph graph = ModelFiles.load(modelZip);
        Optional<Provenance> provenance = Provenance.of(modelZip);
        Map<String, StoredTensor> state = stateDict(graph, BufferEntries.read(modelZip));
        KeyScheme chosen = scheme != null ? scheme
                : provenance.map(p -> KeyScheme.of(p.weights() == null ? "reference" : p.weights().keyScheme()))
                        .orElse(KeyScheme.REFERENCE);
        KeyAdapter adapter = KeyAdapter.IDENTITY;
        if (chosen != KeyScheme.REFERENCE) {
            String arch = provenance.map(Provenance::architecture).orElseThrow(() -> new IllegalArgumentException(
                    modelZip.getFileName() + " records no architecture, so it cannot be exported in the " + chosen.label() + " scheme"));
            adapter = Zoo.registry().get(arch).architecture().keySchemes().get(chosen);
            if (adapter == null) {
                throw new IllegalArgumentException(arch + " has no " + chosen.label() + " key scheme");
            }
        }
        Map<String, StoredTensor> renamed = SchemeTensors.fromGraph(adapter, state);
        return provenance.map(p -> ordered(renamed, p.stateDictOrder())).orElse(renamed);
    }

    /** A graph's parameters in PyTorch's layout and naming, with the given buffers after their module's tensors. */
    public static Map<String, StoredTensor> stateDict(ComputationGraph graph, Map<String, HostTensor> buffers) {
        Map<String, StoredTensor> state = new LinkedHashMap<>();
        Map<String, HostTensor> pending = new LinkedHashMap<>(buffers);
        String module = null;
        for (Map.Entry<String, WeightKeys.TorchParam> e : WeightKeys.torchParams(graph.getConfiguration()).entrySet()) {
            WeightKeys.TorchParam p = e.getValue();
            String paramModule = p.key().substring(0, p.key().lastIndexOf('.'));
            if (module != null && !module.equals(paramModule)) {
                flushBuffers(module, pending, state);
            }
            module = paramModule;
            INDArray value = graph.getParam(e.getKey());
            INDArray torchLayout = p.transposed() ? value.transpose() : value;
            state.put(p.key(), Tensors.fromArray(torchLayout.reshape('c', p.shape())));
        }
        if (module != null) {
            flushBuffers(module, pending, state);
        }
        state.putAll(pending);
        return state;
    }

    public static void write(Map<String, StoredTensor> state, Path out) throws IOException {
        switch (Format.of(out)) {
            case NPZ -> Npz.write(out, state);
            case SAFETENSORS -> Safetensors.write(out, state, Map.of("format", "pt"));
        }
    }

    private static void flushBuffers(String module, Map<String, HostTensor> pending, Map<String, StoredTensor> state) {
        pending.entrySet().removeIf(b -> {
            if (b.getKey().startsWith(module + ".") && b.getKey().indexOf('.', module.length() + 1) < 0) {
                state.put(b.getKey(), b.getValue());
                return true;
            }
            return false;
        });
    }

    /** The tensors in the checkpoint's original order when it names exactly the same keys. */
    private static Map<String, StoredTensor> ordered(Map<String, StoredTensor> state, List<String> order) {
        if (order == null || order.size() != state.size() || !new HashSet<>(order).equals(state.keySet())) {
            return state;
        }
        Map<String, StoredTensor> result = new LinkedHashMap<>();
        order.forEach(k -> result.put(k, state.get(k)));
        return result;
    }
}

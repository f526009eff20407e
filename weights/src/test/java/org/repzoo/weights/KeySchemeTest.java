package org.repzoo.weights;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.repzoo.weights.format.HostTensor;
import org.repzoo.weights.format.Npz;
import org.repzoo.weights.format.Safetensors;
import org.repzoo.weights.format.StoredTensor;
import org.repzoo.zoo.Zoo;
import org.repzoo.zoo.core.KeyAdapter;
import org.repzoo.zoo.core.KeyScheme;
import org.repzoo.zoo.core.ModelEntry;
import org.repzoo.zoo.core.WeightKeys;

/**
 * Key schemes against timm's own rules (vgg.py {@code _filter_fn}: classifier.0/3/6 to pre_logits.fc1/fc2, head.fc)
 * and timm's own module tree (byobnet.py's RepVGG, written out in tools/reference/repvgg_timm_keys.py, which also
 * checks that timm's model with the renamed tensors gives the official model's logits).
 */
class KeySchemeTest {

    private static final ModelEntry VGG16 = Zoo.registry().get("vgg16");

    @Test
    void timmVggHeadIsTorchvisionsClassifierAsConvolutions() throws Exception {
        KeyAdapter timm = VGG16.architecture().keySchemes().get(KeyScheme.TIMM);
        float[] values = new float[2 * 512 * 49];
        for (int i = 0; i < values.length; i++) {
            values[i] = i;
        }
        Map<String, StoredTensor> timmState = new LinkedHashMap<>();
        timmState.put("features.0.weight", HostTensor.ofFloats(new long[] {1}, 7));
        timmState.put("pre_logits.fc1.weight", HostTensor.ofFloats(new long[] {2, 512, 7, 7}, values));
        timmState.put("pre_logits.fc1.bias", HostTensor.ofFloats(new long[] {2}, 1, 2));
        timmState.put("pre_logits.fc2.weight", HostTensor.ofFloats(new long[] {2, 2, 1, 1}, 1, 2, 3, 4));
        timmState.put("head.fc.weight", HostTensor.ofFloats(new long[] {1, 2}, 5, 6));

        Map<String, StoredTensor> graph = SchemeTensors.toGraph(timm, timmState);
        assertEquals(List.of("features.0.weight", "classifier.0.weight", "classifier.0.bias", "classifier.3.weight",
                "classifier.6.weight"), List.copyOf(graph.keySet()));
        assertArrayEquals(new long[] {2, 25088}, graph.get("classifier.0.weight").shape());
        assertArrayEquals(new long[] {2, 2}, graph.get("classifier.3.weight").shape());
        // torch.flatten of NCHW features is channel-major, the same order as the conv kernel's C-order data
        assertEquals(timmState.get("pre_logits.fc1.weight").read(), graph.get("classifier.0.weight").read());

        Map<String, StoredTensor> back = SchemeTensors.fromGraph(timm, graph);
        assertEquals(List.copyOf(timmState.keySet()), List.copyOf(back.keySet()));
        for (String key : timmState.keySet()) {
            assertArrayEquals(timmState.get(key).shape(), back.get(key).shape(), key);
        }
    }

    @Test
    void schemeIsDetectedFromTheKeys() {
        Set<String> expected = new LinkedHashSet<>();
        WeightKeys.torchParams(VGG16.configure()).values().forEach(p -> expected.add(p.key()));
        KeyAdapter timm = VGG16.architecture().keySchemes().get(KeyScheme.TIMM);
        Set<String> timmKeys = new LinkedHashSet<>();
        expected.forEach(k -> timmKeys.add(timm.fromGraphKey(k)));

        assertEquals(KeyScheme.TIMM, CheckpointImport.detectScheme(VGG16, timmKeys, expected).getKey());
        assertEquals(KeyScheme.REFERENCE, CheckpointImport.detectScheme(VGG16, expected, expected).getKey());
        ModelEntry resnet = Zoo.registry().get("resnet50"); // timm's ResNet keys are torchvision's
        assertEquals(KeyScheme.REFERENCE, CheckpointImport.detectScheme(resnet, Set.of("fc.weight"), Set.of("fc.weight")).getKey());
    }

    static List<String> timmRepVggModels() {
        return TimmRepVggKeys.names();
    }

    /**
     * Every key of timm's state_dict names the tensor the official model keeps under the official key the fixture pairs
     * it with, and back; the keys are detected as timm's, in either form, from either registered name; and the renamed
     * state_dict fits the graph exactly (what a strict import checks before it reads a tensor).
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("timmRepVggModels")
    void timmRepVggKeysAreTheOfficialOnesRenamed(String name) {
        ModelEntry entry = Zoo.registry().get(name);
        KeyAdapter timm = entry.architecture().keySchemes().get(KeyScheme.TIMM);
        List<TimmRepVggKeys.Row> rows = TimmRepVggKeys.rows(name);
        Set<String> timmKeys = new LinkedHashSet<>();
        for (TimmRepVggKeys.Row row : rows) {
            assertEquals(row.officialKey(), timm.toGraphKey(row.timmKey()), row.timmKey());
            assertEquals(row.timmKey(), timm.fromGraphKey(row.officialKey()), row.officialKey());
            timmKeys.add(row.timmKey());
        }
        Set<String> expected = new LinkedHashSet<>();
        WeightKeys.torchParams(entry.configure()).values().forEach(p -> expected.add(p.key()));
        assertEquals(KeyScheme.TIMM, CheckpointImport.detectScheme(entry, timmKeys, expected).getKey());
        String train = name.replace("_deploy", "");
        for (String requested : List.of(train, train + "_deploy")) {
            assertEquals(name, CheckpointImport.formOf(Zoo.registry().get(requested), timmKeys).name(),
                    "timm's keys imported as " + requested);
        }

        Map<String, StoredTensor> graphNamed = SchemeTensors.toGraph(timm, TimmRepVggKeys.timmCheckpoint(name));
        LoadReport report = StateDictLoader.check(entry.configure(), StateDictLoader.shapesOf(graphNamed));
        assertTrue(report.clean(), name + ": " + report.problems());
        assertEquals(rows.stream().filter(TimmRepVggKeys.Row::isCounter).count(), report.ignored().size());
        assertEquals(List.copyOf(timmKeys), List.copyOf(SchemeTensors.fromGraph(timm, graphNamed).keySet()));
    }

    /**
     * RepVGG-A0 in both forms: a checkpoint in timm's names (npz) and one in the official names (safetensors), holding
     * the same tensors, import into the same graph with the same parameters, bit for bit; the provenance records the
     * scheme each came in.
     */
    @Test
    void timmRepVggImportsTheSameWeightsAsTheOfficialNames(@TempDir Path dir) throws Exception {
        for (String name : List.of("repvgg_a0", "repvgg_a0_deploy")) {
            Path timmFile = dir.resolve(name + "-timm.npz");
            Npz.write(timmFile, TimmRepVggKeys.timmCheckpoint(name));
            Path officialFile = dir.resolve(name + "-official.safetensors");
            Safetensors.write(officialFile, TimmRepVggKeys.officialCheckpoint(name), Map.of());

            // requested under the train-form name: the keys choose the form
            CheckpointImport.Result fromTimm = CheckpointImport.run(Zoo.registry().get("repvgg_a0"), timmFile,
                    CheckpointImport.Options.strict(), NO_PROGRESS);
            CheckpointImport.Result fromOfficial = CheckpointImport.run(Zoo.registry().get("repvgg_a0"), officialFile,
                    CheckpointImport.Options.strict(), NO_PROGRESS);
            assertTrue(fromTimm.report().clean(), fromTimm.report().problems().toString());
            assertEquals(name, fromTimm.provenance().architecture());
            assertEquals(name, fromOfficial.provenance().architecture());
            assertEquals("timm", fromTimm.provenance().weights().keyScheme());
            assertEquals("reference", fromOfficial.provenance().weights().keyScheme());
            assertEquals(new ArrayList<>(TimmRepVggKeys.timmCheckpoint(name).keySet()),
                    fromTimm.provenance().stateDictOrder());
            ComputationGraph a = fromTimm.graph();
            ComputationGraph b = fromOfficial.graph();
            assertEquals(b.paramTable().keySet(), a.paramTable().keySet());
            for (String param : b.paramTable().keySet()) {
                assertEquals(b.getParam(param), a.getParam(param), name + " " + param);
            }
            // the counters come back under the graph's names, as buffers to export
            assertEquals(fromOfficial.buffers().keySet(), fromTimm.buffers().keySet());
            for (String key : fromOfficial.buffers().keySet()) {
                assertEquals(fromOfficial.buffers().get(key).read(), fromTimm.buffers().get(key).read(), key);
            }
        }
    }

    private static final CheckpointImport.Progress NO_PROGRESS = new CheckpointImport.Progress() {
        @Override
        public void start(long totalBytes) {
        }

        @Override
        public void loaded(String key, long bytes) {
        }
    };
}

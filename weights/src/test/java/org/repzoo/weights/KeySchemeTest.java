package org.repzoo.weights;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.repzoo.weights.format.HostTensor;
import org.repzoo.weights.format.StoredTensor;
import org.repzoo.zoo.Zoo;
import org.repzoo.zoo.core.KeyAdapter;
import org.repzoo.zoo.core.KeyScheme;
import org.repzoo.zoo.core.ModelEntry;
import org.repzoo.zoo.core.WeightKeys;

/** Key schemes against timm's own rules (vgg.py {@code _filter_fn}: classifier.0/3/6 to pre_logits.fc1/fc2, head.fc). */
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
}

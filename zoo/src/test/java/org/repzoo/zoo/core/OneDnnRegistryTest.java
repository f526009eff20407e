package org.repzoo.zoo.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;
import org.repzoo.zoo.SmallInputs;
import org.repzoo.zoo.Zoo;

/**
 * Every family's convolutions run through oneDNN: plain ones through DL4J's oneDNN layer helper, grouped and
 * depthwise ones through libnd4j's oneDNN implementations of {@code conv2d} and {@code depthwise_conv2d}. The
 * evidence is oneDNN's own log ({@code DNNL_VERBOSE=1}: one {@code exec} line per primitive run, with its shape), so
 * a probe JVM builds one model of each family and of each kind of convolution it has, runs one forward pass of
 * each, and the test checks that every convolution call the graph makes appears there with its shape. Each model
 * runs at its own batch size, so a line belongs to one model. A convolution that fell back to DL4J's im2col path or
 * to libnd4j's generic loops leaves no line, and the test names it.
 */
class OneDnnRegistryTest {

    /** oneDNN 2.x: {@code mb2_ic64oc128_ih28oh28kh3sh1dh0ph1_iw28ow28kw3sw1dw0pw1}, {@code g64mb2_ic64oc64_...}. */
    private static final Pattern CONVOLUTION = Pattern.compile("(?:g(\\d+))?mb(\\d+)_ic(\\d+)oc(\\d+)"
            + "_ih(\\d+)oh(\\d+)kh(\\d+)sh(\\d+)\\w*?_iw(\\d+)ow(\\d+)kw(\\d+)sw(\\d+)");
    private static final long PROBE_SECONDS = 600;

    /** One convolution call as oneDNN logs it (groups 1 for a plain call, also for a block-diagonal grouped one). */
    record Call(int groups, long in, long out, long inHeight, long outHeight, long kernelHeight, long strideHeight,
                long inWidth, long outWidth, long kernelWidth, long strideWidth) {
        @Override
        public String toString() {
            return String.format("g%d ic%d oc%d %dx%d->%dx%d k%dx%d s%dx%d", groups, in, out, inHeight, inWidth,
                    outHeight, outWidth, kernelHeight, kernelWidth, strideHeight, strideWidth);
        }
    }

    @Test
    void everyFamilysConvolutionsRunOnOneDnn() throws IOException, InterruptedException {
        List<ModelEntry> probes = probes();
        assertTrue(probes.size() >= Family.values().length, "one model per family at least: " + probes);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"), "-Xmx2g",
                OneDnnRegistryTest.class.getName()));
        probes.forEach(entry -> command.add(entry.name()));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("DNNL_VERBOSE", "1");
        builder.environment().put("OMP_NUM_THREADS", "1");
        Process probe = builder.start();
        String log = new String(probe.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(probe.waitFor(PROBE_SECONDS, TimeUnit.SECONDS), "the probe did not finish");
        assertEquals(0, probe.exitValue(), () -> "probe failed:\n" + tail(log));

        Map<Integer, List<Call>> logged = new HashMap<>();
        for (String line : log.split("\n")) {
            if (line.contains(",exec,") && line.contains(",convolution,")) {
                Matcher m = CONVOLUTION.matcher(line);
                assertTrue(m.find(), () -> "an unexpected oneDNN convolution line: " + line);
                logged.computeIfAbsent(Integer.parseInt(m.group(2)), b -> new ArrayList<>()).add(new Call(
                        m.group(1) == null ? 1 : Integer.parseInt(m.group(1)), Long.parseLong(m.group(3)),
                        Long.parseLong(m.group(4)), Long.parseLong(m.group(5)), Long.parseLong(m.group(6)),
                        Long.parseLong(m.group(7)), Long.parseLong(m.group(8)), Long.parseLong(m.group(9)),
                        Long.parseLong(m.group(10)), Long.parseLong(m.group(11)), Long.parseLong(m.group(12))));
            }
        }
        List<String> missing = new ArrayList<>();
        for (int i = 0; i < probes.size(); i++) {
            ModelEntry entry = probes.get(i);
            List<Call> left = new ArrayList<>(logged.getOrDefault(batch(i), List.of()));
            List<Call> expected = calls(entry.configure(options(entry)), SmallInputs.of(entry));
            assertTrue(expected.size() > 0, entry.name() + " has no convolution");
            for (Call call : expected) {
                if (!left.remove(call)) {
                    missing.add(entry.name() + " (batch " + batch(i) + "): " + call);
                }
            }
        }
        assertEquals(List.of(), missing, () -> "convolutions that left no oneDNN execution; oneDNN logged "
                + logged.entrySet().stream().map(e -> "batch " + e.getKey() + ": " + e.getValue().subList(0,
                Math.min(6, e.getValue().size()))).toList());
    }

    /** For each family, the first registered model with each kind of convolution it has (plain, grouped, depthwise). */
    static List<ModelEntry> probes() {
        Map<String, ModelEntry> first = new LinkedHashMap<>();
        for (ModelEntry entry : Zoo.registry().entries()) {
            for (String kind : kinds(entry.configure(options(entry)))) {
                first.putIfAbsent(entry.family() + " " + kind, entry);
            }
        }
        return first.values().stream().distinct().toList();
    }

    private static Set<String> kinds(ComputationGraphConfiguration conf) {
        Set<String> kinds = new TreeSet<>();
        for (GraphVertex vertex : conf.getVertices().values()) {
            if (vertex instanceof LayerVertex layer
                    && layer.getLayerConf().getLayer() instanceof ConvolutionLayer conv) {
                kinds.add(conv instanceof GroupedConvolution grouped
                        ? GroupedConvolutionLayer.plan(grouped.getNIn(), grouped.getNOut(), grouped.getGroups())
                                .depthwise() ? "depthwise" : "grouped"
                        : "plain");
            }
        }
        return kinds;
    }

    private static ModelOptions options(ModelEntry entry) {
        return ModelOptions.defaults().withClasses(SmallInputs.CLASSES).withInput(SmallInputs.of(entry));
    }

    /** The batch size of the i-th probe: its mark in oneDNN's log. */
    private static int batch(int index) {
        return index + 1;
    }

    /** Every convolution call one forward pass of the graph makes, in oneDNN's terms. */
    static List<Call> calls(ComputationGraphConfiguration conf, InputShape input) {
        Map<String, InputType> outputs = conf.getLayerActivationTypes(
                InputType.convolutional(input.height(), input.width(), input.channels()));
        List<Call> calls = new ArrayList<>();
        for (Map.Entry<String, GraphVertex> vertex : conf.getVertices().entrySet()) {
            if (!(vertex.getValue() instanceof LayerVertex layer)
                    || !(layer.getLayerConf().getLayer() instanceof ConvolutionLayer conv)) {
                continue;
            }
            InputType.InputTypeConvolutional in = (InputType.InputTypeConvolutional)
                    outputs.get(conf.getVertexInputs().get(vertex.getKey()).get(0));
            InputType.InputTypeConvolutional out = (InputType.InputTypeConvolutional) outputs.get(vertex.getKey());
            int[] k = conv.getKernelSize();
            int[] s = conv.getStride();
            if (conv instanceof GroupedConvolution grouped) {
                GroupedConvolutionLayer.Plan plan = GroupedConvolutionLayer.plan(grouped.getNIn(), grouped.getNOut(),
                        grouped.getGroups());
                if (plan.depthwise()) {
                    calls.add(new Call(plan.groups(), conv.getNIn(), conv.getNOut(), in.getHeight(), out.getHeight(),
                            k[0], s[0], in.getWidth(), out.getWidth(), k[1], s[1]));
                } else {
                    for (int call = 0; call < plan.calls(); call++) {
                        calls.add(new Call(1, plan.inChannelsPerCall(), plan.outChannelsPerCall(), in.getHeight(),
                                out.getHeight(), k[0], s[0], in.getWidth(), out.getWidth(), k[1], s[1]));
                    }
                }
            } else {
                calls.add(new Call(1, conv.getNIn(), conv.getNOut(), in.getHeight(), out.getHeight(), k[0], s[0],
                        in.getWidth(), out.getWidth(), k[1], s[1]));
            }
        }
        return calls;
    }

    private static String tail(String log) {
        return log.length() < 4000 ? log : log.substring(log.length() - 4000);
    }

    /** The probe: builds each named model and runs one forward pass at batch (its position + 1). */
    public static void main(String[] names) {
        for (int i = 0; i < names.length; i++) {
            ModelEntry entry = Zoo.registry().get(names[i]);
            InputShape input = SmallInputs.of(entry);
            ComputationGraph graph = entry.init(options(entry));
            // every output, auxiliary heads included: the expected calls are every convolution of the graph
            graph.output(false, Nd4j.rand(DataType.FLOAT, batch(i), input.channels(), input.height(), input.width()));
        }
    }
}

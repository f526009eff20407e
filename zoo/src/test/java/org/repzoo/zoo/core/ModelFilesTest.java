package org.repzoo.zoo.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.repzoo.zoo.Zoo;

class ModelFilesTest {

    @TempDir
    Path dir;

    private static ComputationGraph small() {
        return Zoo.registry().get("resnet18").init(ModelOptions.defaults().withClasses(3).withInput(InputShape.of(3, 32, 32)));
    }

    @Test
    void bulkWriterProducesExactlyNd4jsBytes() throws IOException {
        for (DataType type : List.of(DataType.FLOAT, DataType.DOUBLE)) {
            INDArray array = Nd4j.rand(type, 1, 3_000_001); // spans chunks
            ByteArrayOutputStream ours = new ByteArrayOutputStream();
            ByteArrayOutputStream nd4j = new ByteArrayOutputStream();
            ModelFiles.writeArray(array, new DataOutputStream(ours));
            Nd4j.write(array, new DataOutputStream(nd4j));
            assertArrayEquals(nd4j.toByteArray(), ours.toByteArray(), type.toString());
        }
    }

    @Test
    void dl4jReadsOurFilesAndWeReadDl4js() throws IOException {
        ComputationGraph net = small();
        Path ours = dir.resolve("ours.zip");
        ModelFiles.save(net, ours, java.util.Map.of(ModelFiles.PROVENANCE, "{\"arch\":\"resnet18\"}"));
        assertEquals(net.params(), ModelSerializer.restoreComputationGraph(ours.toFile(), false).params());
        assertEquals(net.params(), ComputationGraph.load(ours.toFile(), false).params());
        assertEquals("{\"arch\":\"resnet18\"}", ModelFiles.provenance(ours).orElseThrow());

        Path theirs = dir.resolve("theirs.zip");
        ModelSerializer.writeModel(net, theirs.toFile(), false);
        assertEquals(net.params(), ModelFiles.load(theirs).params());
        assertTrue(ModelFiles.provenance(theirs).isEmpty());
    }

    @Test
    void savingLeavesNoTemporaryFileAndReplacesAtomically() throws IOException {
        Path file = dir.resolve("model.zip");
        ModelFiles.save(small(), file, java.util.Map.of());
        ModelFiles.save(small(), file, java.util.Map.of());
        try (var files = Files.list(dir)) {
            assertEquals(List.of(file), files.toList());
        }
    }

    @Test
    void badFilesGetOneClearMessageNamingTheFile() throws IOException {
        Path missing = dir.resolve("missing.zip");
        assertEquals(missing + ": no such file", assertThrows(ModelFileException.class, () -> ModelFiles.load(missing)).getMessage());

        Path text = dir.resolve("notes.zip");
        Files.writeString(text, "not a zip");
        assertTrue(assertThrows(ModelFileException.class, () -> ModelFiles.load(text)).getMessage().startsWith(text + ": not a model zip"));

        Path good = dir.resolve("good.zip");
        ModelFiles.save(small(), good, java.util.Map.of());
        byte[] bytes = Files.readAllBytes(good);
        Path truncated = dir.resolve("truncated.zip");
        try (OutputStream out = Files.newOutputStream(truncated)) {
            out.write(bytes, 0, bytes.length / 2);
        }
        String message = assertThrows(ModelFileException.class, () -> ModelFiles.load(truncated)).getMessage();
        assertTrue(message.startsWith(truncated + ": "), message);
    }
}

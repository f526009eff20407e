package org.repzoo.deploy.onnx;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.repzoo.deploy.onnx.proto.Onnx.ModelProto;
import org.repzoo.zoo.core.AtomicFiles;
import org.repzoo.zoo.core.ModelFileException;

/** Reads and writes ONNX files; a write goes through a temporary file renamed into place, as every RepZoo output. */
public final class OnnxFiles {

    /** protobuf's hard limit on one message: ONNX files above it need external data, which RepZoo does not write. */
    private static final long PROTOBUF_LIMIT = Integer.MAX_VALUE;

    private OnnxFiles() {
    }

    /** Writes {@code model} to {@code file}, whole or not at all. */
    public static void write(Path file, ModelProto model) throws IOException {
        long size = model.getSerializedSize();
        if (size < 0 || size >= PROTOBUF_LIMIT) {
            throw new ModelFileException(file, "the model is larger than protobuf's 2 GiB limit for one ONNX file");
        }
        AtomicFiles.write(file, temp -> {
            try (OutputStream out = Files.newOutputStream(temp)) {
                CodedOutputStream coded = CodedOutputStream.newInstance(out, 1 << 20);
                model.writeTo(coded);
                coded.flush();
            }
        });
    }

    /** The model in {@code file}; a file that is not a protobuf ONNX model is refused, naming it. */
    public static ModelProto read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new ModelFileException(file, "no such file");
        }
        ModelProto model;
        try (InputStream in = Files.newInputStream(file)) {
            model = ModelProto.parseFrom(com.google.protobuf.CodedInputStream.newInstance(in));
        } catch (InvalidProtocolBufferException e) {
            throw new ModelFileException(file, "not an ONNX model (" + e.getMessage() + ")", e);
        }
        if (!model.hasGraph() || model.getOpsetImportCount() == 0) {
            throw new ModelFileException(file, "not an ONNX model (no graph or no operator set)");
        }
        return model;
    }
}

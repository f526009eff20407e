package org.repzoo.zoo.core;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Model zips in DL4J's ModelSerializer format (loadable with {@code ComputationGraph.load} and
 * {@code ModelSerializer}), written and read fast. ModelSerializer deflates the weights and converts them one float at
 * a time: 25 s to write and 12 s to read VGG's 530 MB here. This class writes the identical {@code coefficients.bin}
 * bytes in bulk into a stored (uncompressed) entry, writes to a temporary file renamed into place (never a
 * half-written model), and adds RepZoo's provenance as an extra entry that DL4J ignores.
 */
public final class ModelFiles {

    public static final String CONFIGURATION = "configuration.json";
    public static final String COEFFICIENTS = "coefficients.bin";
    public static final String PROVENANCE = "repzoo/provenance.json";

    private static final int CHUNK_BYTES = 1 << 22;

    private ModelFiles() {
    }

    /**
     * Saves the graph with extra text entries (RepZoo's, under {@code repzoo/}; DL4J ignores them), atomically.
     */
    public static void save(ComputationGraph graph, Path file, Map<String, String> extraEntries) throws IOException {
        AtomicFiles.write(file, temp -> {
            try (OutputStream raw = Files.newOutputStream(temp);
                 ZipOutputStream zip = new ZipOutputStream(new BufferedOutputStream(raw, CHUNK_BYTES))) {
                zip.setLevel(java.util.zip.Deflater.BEST_SPEED);
                zip.putNextEntry(new ZipEntry(CONFIGURATION));
                zip.write(graph.getConfiguration().toJson().getBytes(StandardCharsets.UTF_8));
                zip.closeEntry();
                for (Map.Entry<String, String> extra : new TreeMap<>(extraEntries).entrySet()) {
                    zip.putNextEntry(new ZipEntry(extra.getKey()));
                    zip.write(extra.getValue().getBytes(StandardCharsets.UTF_8));
                    zip.closeEntry();
                }
                zip.setLevel(java.util.zip.Deflater.NO_COMPRESSION); // random floats do not compress
                zip.putNextEntry(new ZipEntry(COEFFICIENTS));
                DataOutputStream out = new DataOutputStream(zip);
                writeArray(graph.params(), out);
                out.flush();
                zip.closeEntry();
            }
        });
    }

    /** Loads a model zip (RepZoo's or ModelSerializer's) with oneDNN helpers on. */
    public static ComputationGraph load(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new ModelFileException(file, "no such file");
        }
        try (ZipFile zip = new ZipFile(file.toFile())) {
            ComputationGraphConfiguration conf = configuration(zip, file);
            ZipEntry coefficients = zip.getEntry(COEFFICIENTS);
            if (coefficients == null) {
                throw new ModelFileException(file, "no " + COEFFICIENTS + " entry: not a saved model");
            }
            INDArray params;
            try (DataInputStream in = new DataInputStream(new BufferedInputStream(zip.getInputStream(coefficients), CHUNK_BYTES))) {
                params = readArray(in, file);
            }
            try {
                return Graphs.withParameters(conf, params);
            } catch (ParameterCountException e) {
                throw new ModelFileException(file, e.asFileProblem());
            }
        } catch (ZipException e) {
            throw new ModelFileException(file, "not a model zip (" + e.getMessage() + ")", e);
        }
    }

    /** The provenance JSON RepZoo recorded, if any. */
    public static Optional<String> provenance(Path file) throws IOException {
        return textEntry(file, PROVENANCE);
    }

    /** A text entry of a model zip, if present. */
    public static Optional<String> textEntry(Path file, String name) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new ModelFileException(file, "no such file");
        }
        try (ZipFile zip = new ZipFile(file.toFile())) {
            ZipEntry entry = zip.getEntry(name);
            if (entry == null) {
                return Optional.empty();
            }
            try (InputStream in = zip.getInputStream(entry)) {
                return Optional.of(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }
        } catch (ZipException e) {
            throw new ModelFileException(file, "not a model zip (" + e.getMessage() + ")", e);
        }
    }

    private static ComputationGraphConfiguration configuration(ZipFile zip, Path file) throws IOException {
        ZipEntry entry = zip.getEntry(CONFIGURATION);
        if (entry == null) {
            throw new ModelFileException(file, "no " + CONFIGURATION + " entry: not a saved model");
        }
        String json;
        try (InputStream in = zip.getInputStream(entry)) {
            json = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        try {
            return ComputationGraphConfiguration.fromJson(json);
        } catch (RuntimeException e) {
            throw new ModelFileException(file, CONFIGURATION + " is not a ComputationGraph configuration"
                    + " (a MultiLayerNetwork, or a newer DL4J?)", e);
        }
    }

    /** Writes exactly what {@code Nd4j.write} writes for a float or double array, in bulk. */
    static void writeArray(INDArray array, DataOutputStream out) throws IOException {
        INDArray data = array.isView() || array.ordering() != 'c' ? array.dup('c') : array;
        if (data.dataType() != DataType.FLOAT && data.dataType() != DataType.DOUBLE) {
            Nd4j.write(data, out);
            return;
        }
        data.shapeInfoDataBuffer().write(out);
        out.writeUTF(data.data().allocationMode().name());
        out.writeLong(data.length());
        out.writeUTF(data.dataType().name());
        ByteBuffer source = data.data().asNio().order(ByteOrder.nativeOrder());
        int width = data.dataType().width();
        long bytes = data.length() * width;
        byte[] chunk = new byte[CHUNK_BYTES];
        ByteBuffer bigEndian = ByteBuffer.wrap(chunk).order(ByteOrder.BIG_ENDIAN);
        for (long offset = 0; offset < bytes; offset += CHUNK_BYTES) {
            int n = (int) Math.min(CHUNK_BYTES, bytes - offset);
            bigEndian.clear();
            ByteBuffer slice = source.duplicate().order(ByteOrder.nativeOrder());
            slice.position((int) offset).limit((int) (offset + n));
            if (width == 4) {
                bigEndian.asFloatBuffer().put(slice.asFloatBuffer());
            } else {
                bigEndian.asDoubleBuffer().put(slice.asDoubleBuffer());
            }
            out.write(chunk, 0, n);
        }
    }

    /** Reads what {@link #writeArray} (or {@code Nd4j.write} for a float/double vector) wrote, as a flat vector. */
    static INDArray readArray(DataInputStream in, Path file) throws IOException {
        try {
            skipBuffer(in, file); // the shape info: a flat parameter vector needs only the data's length
            in.readUTF(); // allocation mode
            long length = in.readLong();
            String typeName = in.readUTF();
            DataType type = switch (typeName) {
                case "FLOAT" -> DataType.FLOAT;
                case "DOUBLE" -> DataType.DOUBLE;
                default -> throw new ModelFileException(file, "weights of type " + typeName + " are not supported");
            };
            if (length < 0 || length > Integer.MAX_VALUE * 4L) {
                throw new ModelFileException(file, "corrupt weights header (length " + length + ")");
            }
            INDArray array = Nd4j.createUninitialized(type, length);
            ByteBuffer target = array.data().asNio().order(ByteOrder.nativeOrder());
            int width = type.width();
            long bytes = length * width;
            byte[] chunk = new byte[CHUNK_BYTES];
            for (long offset = 0; offset < bytes; offset += CHUNK_BYTES) {
                int n = (int) Math.min(CHUNK_BYTES, bytes - offset);
                in.readFully(chunk, 0, n);
                ByteBuffer bigEndian = ByteBuffer.wrap(chunk, 0, n).order(ByteOrder.BIG_ENDIAN);
                ByteBuffer slice = target.duplicate().order(ByteOrder.nativeOrder());
                slice.position((int) offset).limit((int) (offset + n));
                if (width == 4) {
                    slice.asFloatBuffer().put(bigEndian.asFloatBuffer());
                } else {
                    slice.asDoubleBuffer().put(bigEndian.asDoubleBuffer());
                }
            }
            return array;
        } catch (EOFException e) {
            throw new ModelFileException(file, "truncated weights", e);
        }
    }

    private static void skipBuffer(DataInputStream in, Path file) throws IOException {
        in.readUTF();
        long length = in.readLong();
        String type = in.readUTF();
        int width = switch (type) {
            case "LONG" -> 8;
            case "INT" -> 4;
            default -> throw new ModelFileException(file, "corrupt weights header (shape of type " + type + ")");
        };
        if (length < 0 || length > 64) {
            throw new ModelFileException(file, "corrupt weights header (shape length " + length + ")");
        }
        in.readFully(new byte[(int) length * width]);
    }
}

package org.repzoo.weights.format;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.repzoo.zoo.core.AtomicFiles;

/**
 * Hugging Face safetensors (github.com/huggingface/safetensors, "Format"): an 8-byte little-endian header length N,
 * N bytes of UTF-8 JSON mapping each tensor name to {@code {"dtype", "shape", "data_offsets": [begin, end]}} (offsets
 * relative to the end of the header) plus an optional {@code "__metadata__"} of strings, then the raw little-endian
 * data.
 *
 * <p>Opening validates the header as the reference Rust implementation does: a known dtype, a shape of non-negative
 * integers, {@code end - begin == numel * width}, and offsets that tile the data exactly, with no gap, no overlap and
 * nothing after the last tensor; unknown fields are refused too. Data is read on demand, in bulk, through a
 * {@link FileChannel}. Writing puts the tensors in the map's order and pads the header with spaces to a multiple of 8
 * bytes, as the reference writer does (which however orders tensors by alignment, then name).
 */
public final class Safetensors {

    /** The reference implementation's limit on the header. */
    public static final long MAX_HEADER_BYTES = 100_000_000;

    private static final String METADATA = "__metadata__";
    private static final Set<String> FIELDS = Set.of("dtype", "shape", "data_offsets");
    private static final int LENGTH_BYTES = 8;

    private static final ObjectMapper JSON = new ObjectMapper(JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(64).maxNumberLength(64).build())
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
            .build())
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private Safetensors() {
    }

    public static Checkpoint open(Path file) throws IOException {
        CheckpointIo.requireRegularFile(file);
        FileChannel channel = CheckpointIo.openForReading(file);
        try {
            Header header = header(file, channel);
            Map<String, StoredTensor> tensors = new LinkedHashMap<>();
            for (Entry entry : header.entries()) {
                tensors.put(entry.name(), new Tensor(channel, file, entry, header.dataStart()));
            }
            return new Checkpoint(file, CheckpointFormat.SAFETENSORS, tensors, null, channel);
        } catch (IOException | RuntimeException e) {
            try {
                channel.close();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /** The header's {@code __metadata__} (empty when it has none), validated along with the whole header. */
    public static Map<String, String> metadata(Path file) throws IOException {
        CheckpointIo.requireRegularFile(file);
        try (FileChannel channel = CheckpointIo.openForReading(file)) {
            return header(file, channel).metadata();
        }
    }

    /**
     * Writes the tensors in the map's order with the given metadata (null or empty for none), atomically.
     */
    public static void write(Path file, Map<String, ? extends StoredTensor> tensors, Map<String, String> metadata)
            throws IOException {
        byte[] header = headerJson(file, tensors, metadata == null ? Map.of() : metadata);
        AtomicFiles.write(file, temp -> {
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer length = ByteBuffer.allocate(LENGTH_BYTES).order(ByteOrder.LITTLE_ENDIAN)
                        .putLong(0, header.length);
                CheckpointIo.writeFully(channel, length);
                CheckpointIo.writeFully(channel, ByteBuffer.wrap(header));
                for (Map.Entry<String, ? extends StoredTensor> entry : tensors.entrySet()) {
                    CheckpointIo.writeFully(channel, CheckpointIo.tensorData(file, entry.getKey(), entry.getValue()));
                }
            }
        });
    }

    private static byte[] headerJson(Path file, Map<String, ? extends StoredTensor> tensors,
                                     Map<String, String> metadata) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator json = JSON.getFactory().createGenerator(out)) {
            json.writeStartObject();
            if (!metadata.isEmpty()) {
                json.writeObjectFieldStart(METADATA);
                for (Map.Entry<String, String> entry : metadata.entrySet()) {
                    if (entry.getKey() == null || entry.getValue() == null) {
                        throw new CheckpointException(file, "metadata may not hold null");
                    }
                    json.writeStringField(entry.getKey(), entry.getValue());
                }
                json.writeEndObject();
            }
            long offset = 0;
            for (Map.Entry<String, ? extends StoredTensor> entry : tensors.entrySet()) {
                String name = entry.getKey();
                if (name == null || name.equals(METADATA)) {
                    throw new CheckpointException(file, "a tensor may not be named " + name);
                }
                DType dtype = entry.getValue().dtype();
                long[] shape = entry.getValue().shape();
                long bytes = CheckpointIo.dataBytes(file, "tensor " + CheckpointIo.quote(name), dtype, shape);
                json.writeObjectFieldStart(name);
                json.writeStringField("dtype", dtype.safetensorsName());
                json.writeArrayFieldStart("shape");
                for (long dimension : shape) {
                    json.writeNumber(dimension);
                }
                json.writeEndArray();
                json.writeArrayFieldStart("data_offsets");
                json.writeNumber(offset);
                json.writeNumber(offset + bytes);
                json.writeEndArray();
                json.writeEndObject();
                offset += bytes;
            }
            json.writeEndObject();
        }
        int padding = (LENGTH_BYTES - out.size() % LENGTH_BYTES) % LENGTH_BYTES;
        for (int i = 0; i < padding; i++) {
            out.write(' ');
        }
        return out.toByteArray();
    }

    private record Header(List<Entry> entries, Map<String, String> metadata, long dataStart) {
    }

    /** One tensor's header entry; {@code begin} is relative to the start of the data. */
    private record Entry(String name, DType dtype, long[] shape, long begin, long end) {
    }

    /** The validated header; any failure, even one of the JSON library's, is a CheckpointException. */
    private static Header header(Path file, FileChannel channel) throws CheckpointException {
        try {
            return parseHeader(file, channel);
        } catch (CheckpointException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new CheckpointException(file, "cannot be read (" + e + ")", e);
        }
    }

    private static Header parseHeader(Path file, FileChannel channel) throws IOException {
        long size = channel.size();
        if (size < LENGTH_BYTES) {
            throw new CheckpointException(file, "truncated: " + size + " bytes, less than the 8-byte header length");
        }
        ByteBuffer lengthField = CheckpointIo.readAt(channel, 0, LENGTH_BYTES);
        if (lengthField == null) {
            throw new CheckpointException(file, "truncated while being read");
        }
        long length = lengthField.getLong(0);
        if (length < 0 || length > size - LENGTH_BYTES) {
            throw new CheckpointException(file, "header length " + Long.toUnsignedString(length)
                    + " is larger than the " + (size - LENGTH_BYTES) + " bytes after it: truncated or not safetensors");
        }
        if (length > MAX_HEADER_BYTES) {
            throw new CheckpointException(file, "header length " + length + " is over the " + MAX_HEADER_BYTES
                    + "-byte limit of the format");
        }
        ByteBuffer bytes = CheckpointIo.readAt(channel, LENGTH_BYTES, (int) length);
        if (bytes == null) {
            throw new CheckpointException(file, "truncated while being read");
        }
        if (length == 0 || bytes.get(0) != '{') {
            throw new CheckpointException(file, "header is not a JSON object (it does not start with '{')");
        }
        String text;
        try {
            CharBuffer chars = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(bytes);
            text = chars.toString();
        } catch (CharacterCodingException e) {
            throw new CheckpointException(file, "header is not valid UTF-8", e);
        }
        JsonNode root;
        try {
            root = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new CheckpointException(file, "header is not valid JSON: " + jsonProblem(e), e);
        }
        if (root == null || !root.isObject()) {
            throw new CheckpointException(file, "header is not a JSON object");
        }
        long dataLength = size - LENGTH_BYTES - length;
        List<Entry> entries = new ArrayList<>();
        Map<String, String> metadata = Map.of();
        for (Iterator<Map.Entry<String, JsonNode>> fields = root.fields(); fields.hasNext(); ) {
            Map.Entry<String, JsonNode> field = fields.next();
            if (field.getKey().equals(METADATA)) {
                metadata = metadata(file, field.getValue());
            } else {
                entries.add(entry(file, field.getKey(), field.getValue(), dataLength));
            }
        }
        requireTiling(file, entries, dataLength);
        return new Header(Collections.unmodifiableList(entries), metadata, LENGTH_BYTES + length);
    }

    private static Map<String, String> metadata(Path file, JsonNode node) throws CheckpointException {
        if (!node.isObject()) {
            throw new CheckpointException(file, "header's " + METADATA + " is not an object");
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> fields = node.fields(); fields.hasNext(); ) {
            Map.Entry<String, JsonNode> field = fields.next();
            if (!field.getValue().isTextual()) {
                throw new CheckpointException(file, "header's " + METADATA + " has a value for "
                        + CheckpointIo.quote(field.getKey()) + " that is not a string");
            }
            metadata.put(field.getKey(), field.getValue().textValue());
        }
        return Collections.unmodifiableMap(metadata);
    }

    private static Entry entry(Path file, String name, JsonNode node, long dataLength) throws CheckpointException {
        String subject = "tensor " + CheckpointIo.quote(name);
        if (!node.isObject()) {
            throw new CheckpointException(file, subject + " is not described by a JSON object");
        }
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            String field = names.next();
            if (!FIELDS.contains(field)) {
                throw new CheckpointException(file, subject + " has an unknown field " + CheckpointIo.quote(field));
            }
        }
        JsonNode dtypeNode = node.get("dtype");
        if (dtypeNode == null || !dtypeNode.isTextual()) {
            throw new CheckpointException(file, subject + " has no dtype string");
        }
        DType dtype = Arrays.stream(DType.values()).filter(t -> t.safetensorsName().equals(dtypeNode.textValue()))
                .findFirst().orElseThrow(() -> new CheckpointException(file, subject + " has dtype "
                        + CheckpointIo.quote(dtypeNode.textValue()) + ", which RepZoo does not read (it reads "
                        + Arrays.stream(DType.values()).map(DType::safetensorsName).toList() + ")"));
        long[] shape = integers(file, subject, "shape", node.get("shape"), -1);
        long[] offsets = integers(file, subject, "data_offsets", node.get("data_offsets"), 2);
        long begin = offsets[0];
        long end = offsets[1];
        if (begin > end || end > dataLength) {
            throw new CheckpointException(file, subject + " has data_offsets [" + begin + ", " + end
                    + "] outside the " + dataLength + " bytes of data: truncated or corrupt");
        }
        long bytes = CheckpointIo.dataBytes(file, subject, dtype, shape);
        if (end - begin != bytes) {
            throw new CheckpointException(file, subject + " has data_offsets [" + begin + ", " + end + "] spanning "
                    + (end - begin) + " bytes, but " + dtype + " of shape " + Arrays.toString(shape) + " needs "
                    + bytes);
        }
        return new Entry(name, dtype, shape, begin, end);
    }

    /** A JSON array of non-negative integers (of the given length, unless it is -1). */
    private static long[] integers(Path file, String subject, String field, JsonNode node, int length)
            throws CheckpointException {
        if (node == null || !node.isArray() || (length >= 0 && node.size() != length)) {
            throw new CheckpointException(file, subject + " has no " + field + " array"
                    + (length >= 0 ? " of " + length + " integers" : ""));
        }
        long[] values = new long[node.size()];
        for (int i = 0; i < values.length; i++) {
            JsonNode item = node.get(i);
            if (!item.isIntegralNumber() || !item.canConvertToLong() || item.longValue() < 0) {
                throw new CheckpointException(file, subject + " has a " + field + " entry "
                        + CheckpointIo.quote(item.toString()) + " that is not a non-negative integer");
            }
            values[i] = item.longValue();
        }
        return values;
    }

    /** The reference implementation's rule: sorted by offsets, the tensors cover the data exactly. */
    private static void requireTiling(Path file, List<Entry> entries, long dataLength) throws CheckpointException {
        List<Entry> sorted = new ArrayList<>(entries);
        sorted.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        long covered = 0;
        Entry previous = null;
        for (Entry entry : sorted) {
            if (entry.begin() != covered) {
                throw new CheckpointException(file, "tensor " + CheckpointIo.quote(entry.name()) + " starts at "
                        + entry.begin() + (entry.begin() < covered
                        ? ", inside tensor " + CheckpointIo.quote(previous.name()) + " (overlapping data_offsets)"
                        : ", leaving a gap of " + (entry.begin() - covered) + " bytes after the previous tensor"));
            }
            covered = entry.end();
            previous = entry;
        }
        if (covered != dataLength) {
            throw new CheckpointException(file, (dataLength - covered) + " bytes of data after the last tensor: "
                    + "not written by a safetensors writer");
        }
    }

    private static String jsonProblem(JsonProcessingException e) {
        String problem = e.getOriginalMessage() == null ? e.getClass().getSimpleName() : e.getOriginalMessage();
        String where = e.getLocation() == null ? "" : " at character " + e.getLocation().getCharOffset();
        return CheckpointIo.printable(problem, false) + where;
    }

    /** One tensor's data, read with positional reads (so tensors may be read from several threads). */
    private record Tensor(FileChannel channel, Path file, Entry entry, long dataStart) implements StoredTensor {

        @Override
        public DType dtype() {
            return entry.dtype();
        }

        @Override
        public long[] shape() {
            return entry.shape().clone();
        }

        @Override
        public ByteBuffer read() throws IOException {
            ByteBuffer data;
            try {
                data = CheckpointIo.readAt(channel, dataStart + entry.begin(), (int) (entry.end() - entry.begin()));
            } catch (IOException e) {
                throw new CheckpointException(file, "tensor " + CheckpointIo.quote(entry.name())
                        + " cannot be read (" + e + ")", e);
            }
            if (data == null) {
                throw new CheckpointException(file, "tensor " + CheckpointIo.quote(entry.name())
                        + " is truncated: the file shrank since it was opened");
            }
            return data;
        }
    }
}

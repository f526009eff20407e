package org.repzoo.weights.format;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.repzoo.zoo.core.AtomicFiles;

/**
 * NumPy's {@code .npy} format, versions 1.0 to 3.0 (numpy/lib/format.py): the magic {@code \x93NUMPY}, a version, a
 * little-endian header length, a Python dict literal such as
 * {@code {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }} padded to a 64-byte boundary, then the raw data.
 *
 * <p>Reads every numeric dtype RepZoo has (float16/32/64, int8/16/32/64, uint8, bool) in either byte order and either
 * memory order, returning little-endian C-order bytes; refuses object, string, structured, complex and datetime
 * arrays. The header is parsed by a small bounded parser of Python literals (never evaluated), so any input either
 * parses or fails with a {@link CheckpointException}. Writes exactly what {@code numpy.save} 1.24 writes for a
 * C-order little-endian array, byte for byte.
 */
public final class Npy {

    static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};

    /** Headers beyond this are refused before being read: a numeric array's header is under 2 KB even at 64 dims. */
    static final int MAX_HEADER_BYTES = 1 << 20;

    /** NumPy's limit on dimensions (NPY_MAXDIMS in NumPy 2). */
    static final int MAX_DIMS = 64;

    private static final int ALIGN = 64;
    private static final int GROWTH_AXIS_MAX_DIGITS = 21;

    private Npy() {
    }

    /**
     * The header of one array, checked: a supported dtype, a valid shape, a data size that fits a Java buffer.
     *
     * @param headerBytes magic, version, length field and dict: where the data starts
     */
    record Header(DType dtype, long[] shape, boolean fortranOrder, boolean bigEndian, long headerBytes,
                  long dataBytes) {
    }

    /** Reads a standalone {@code .npy} file (for instance the input of {@code repzoo predict}). */
    public static HostTensor read(Path file) throws IOException {
        CheckpointIo.requireRegularFile(file);
        try (FileChannel channel = CheckpointIo.openForReading(file)) {
            long size = channel.size();
            Header header = readHeader(Channels.newInputStream(channel.position(0)), size, file, "the array");
            requireSize(file, "the array", header, size, "the file");
            ByteBuffer data = CheckpointIo.readAt(channel, header.headerBytes(), (int) header.dataBytes());
            if (data == null) {
                throw new CheckpointException(file, "truncated while being read");
            }
            return new HostTensor(header.dtype(), header.shape(), toCOrder(data.array(), header));
        } catch (CheckpointException e) {
            throw e;
        } catch (IOException e) {
            throw new CheckpointException(file, "cannot be read (" + e + ")", e);
        }
    }

    /** Writes one tensor as a {@code .npy} file (version 1.0, C order, little-endian), atomically. */
    public static void write(Path file, StoredTensor tensor) throws IOException {
        byte[] header = headerBytes(file, "tensor", tensor.dtype(), tensor.shape());
        AtomicFiles.write(file, temp -> {
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer data = CheckpointIo.tensorData(file, file.getFileName().toString(), tensor);
                CheckpointIo.writeFully(channel, ByteBuffer.wrap(header));
                CheckpointIo.writeFully(channel, data);
            }
        });
    }

    /** Refuses an array whose container (file or zip member) is not exactly its header plus its data. */
    static void requireSize(Path file, String subject, Header header, long size, String container)
            throws CheckpointException {
        long expected = header.headerBytes() + header.dataBytes();
        if (size < expected) {
            throw new CheckpointException(file, subject + " is truncated: its header needs " + header.dataBytes()
                    + " bytes of data, " + container + " has " + (size - header.headerBytes()));
        }
        if (size > expected) {
            throw new CheckpointException(file, subject + " has " + (size - expected) + " bytes after its data ("
                    + header.dtype() + " of shape " + Arrays.toString(header.shape()) + ")");
        }
    }

    /**
     * Reads and checks the header at the start of {@code in}.
     *
     * @param available bytes the array's container holds, header included: nothing larger is allocated
     * @param subject   what the messages call the array ({@code "member 'fc.weight.npy'"})
     */
    static Header readHeader(InputStream in, long available, Path file, String subject) throws IOException {
        byte[] prefix = in.readNBytes(MAGIC.length + 2);
        for (int i = 0; i < Math.min(prefix.length, MAGIC.length); i++) {
            if (prefix[i] != MAGIC[i]) {
                throw new CheckpointException(file, subject + " is not a .npy array (no \\x93NUMPY magic)");
            }
        }
        if (prefix.length < MAGIC.length + 2) {
            throw new CheckpointException(file, subject + " is truncated inside its .npy magic");
        }
        int major = prefix[6] & 0xff;
        int minor = prefix[7] & 0xff;
        if (major < 1 || major > 3 || minor != 0) {
            throw new CheckpointException(file, subject + " has .npy format version " + major + "." + minor
                    + ": only 1.0, 2.0 and 3.0 exist");
        }
        int lengthBytes = major == 1 ? 2 : 4;
        byte[] lengthField = in.readNBytes(lengthBytes);
        if (lengthField.length < lengthBytes) {
            throw new CheckpointException(file, subject + " is truncated inside its .npy header length");
        }
        long length = 0;
        for (int i = lengthBytes - 1; i >= 0; i--) {
            length = (length << 8) | (lengthField[i] & 0xff);
        }
        long headerBytes = prefix.length + lengthBytes + length;
        if (headerBytes > available) {
            throw new CheckpointException(file, subject + " is truncated: its .npy header claims " + length
                    + " bytes, there are " + Math.max(0, available - prefix.length - lengthBytes));
        }
        if (length > MAX_HEADER_BYTES) {
            throw new CheckpointException(file, subject + " has a .npy header of " + length
                    + " bytes: more than a numeric array ever needs");
        }
        byte[] text = in.readNBytes((int) length);
        if (text.length < length) {
            throw new CheckpointException(file, subject + " is truncated inside its .npy header");
        }
        // Versions 1.0 and 2.0 are latin-1, 3.0 is UTF-8; every header we accept is ASCII, so latin-1 serves all.
        Map<String, Object> dict = dictOf(new Literal(new String(text, StandardCharsets.ISO_8859_1), file, subject),
                file, subject);
        return interpret(dict, headerBytes, file, subject);
    }

    private static Map<String, Object> dictOf(Literal literal, Path file, String subject)
            throws CheckpointException {
        Object value = literal.parseWhole();
        if (!(value instanceof Map<?, ?> map)) {
            throw new CheckpointException(file, subject + " has a .npy header that is not a dict");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> dict = (Map<String, Object>) map;
        for (String key : dict.keySet()) {
            if (!key.equals("descr") && !key.equals("fortran_order") && !key.equals("shape")) {
                throw new CheckpointException(file, subject + " has an unexpected key " + CheckpointIo.quote(key)
                        + " in its .npy header");
            }
        }
        for (String key : List.of("descr", "fortran_order", "shape")) {
            if (!dict.containsKey(key)) {
                throw new CheckpointException(file, subject + " has no '" + key + "' in its .npy header");
            }
        }
        return dict;
    }

    private static Header interpret(Map<String, Object> dict, long headerBytes, Path file, String subject)
            throws CheckpointException {
        Object descr = dict.get("descr");
        if (descr instanceof List<?> || descr instanceof Tuple) {
            throw new CheckpointException(file, subject + " has a structured dtype: only numeric arrays are supported");
        }
        if (!(descr instanceof String text)) {
            throw new CheckpointException(file, subject + " has a 'descr' that is not a string");
        }
        Object fortran = dict.get("fortran_order");
        if (!(fortran instanceof Boolean fortranOrder)) {
            throw new CheckpointException(file, subject + " has a 'fortran_order' that is not True or False");
        }
        if (!(dict.get("shape") instanceof Tuple tuple)) {
            throw new CheckpointException(file, subject + " has a 'shape' that is not a tuple");
        }
        if (tuple.items().size() > MAX_DIMS) {
            throw new CheckpointException(file, subject + " has " + tuple.items().size() + " dimensions: at most "
                    + MAX_DIMS + " are allowed");
        }
        long[] shape = new long[tuple.items().size()];
        for (int i = 0; i < shape.length; i++) {
            if (!(tuple.items().get(i) instanceof Long dimension) || dimension < 0) {
                throw new CheckpointException(file, subject + " has a 'shape' whose entries are not all "
                        + "non-negative integers");
            }
            shape[i] = dimension;
        }
        String quoted = CheckpointIo.quote(text);
        boolean bigEndian = !text.isEmpty() && text.charAt(0) == '>';
        DType dtype = dtypeOf(text, file, subject + " has dtype " + quoted);
        long dataBytes = CheckpointIo.dataBytes(file, subject, dtype, shape);
        return new Header(dtype, shape, fortranOrder && shape.length > 1, bigEndian && dtype.width() > 1,
                headerBytes, dataBytes);
    }

    /** The DType of a NumPy array-protocol type string ({@code '<f4'}), or a message saying why there is none. */
    private static DType dtypeOf(String descr, Path file, String lead) throws CheckpointException {
        int start = !descr.isEmpty() && "<>|=".indexOf(descr.charAt(0)) >= 0 ? 1 : 0;
        if (start >= descr.length()) {
            throw new CheckpointException(file, lead + ", which is not a NumPy dtype");
        }
        char kind = descr.charAt(start);
        String size = descr.substring(start + 1);
        switch (kind) {
            case 'O', 'V', 'S', 'a', 'U', 'M', 'm' ->
                    throw new CheckpointException(file, lead + ": only numeric arrays are supported");
            case 'c' -> throw new CheckpointException(file, lead + ": complex arrays are not supported");
            default -> {
            }
        }
        DType dtype = switch (kind + size) {
            case "f2" -> DType.F16;
            case "f4" -> DType.F32;
            case "f8" -> DType.F64;
            case "i1" -> DType.I8;
            case "i2" -> DType.I16;
            case "i4" -> DType.I32;
            case "i8" -> DType.I64;
            case "u1" -> DType.U8;
            case "b1" -> DType.BOOL;
            default -> null;
        };
        if (dtype == null) {
            throw new CheckpointException(file, lead + ", which RepZoo does not read (it reads float16/32/64, "
                    + "int8/16/32/64, uint8 and bool)");
        }
        return dtype;
    }

    /** Swaps big-endian elements and transposes a Fortran-order array, giving little-endian C-order bytes. */
    static ByteBuffer toCOrder(byte[] data, Header header) {
        int width = header.dtype().width();
        if (header.bigEndian()) {
            for (int at = 0; at + width <= data.length; at += width) {
                for (int low = at, high = at + width - 1; low < high; low++, high--) {
                    byte swap = data[low];
                    data[low] = data[high];
                    data[high] = swap;
                }
            }
        }
        byte[] ordered = header.fortranOrder() && data.length > 0 ? fortranToC(data, header.shape(), width) : data;
        return ByteBuffer.wrap(ordered).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static byte[] fortranToC(byte[] data, long[] shape, int width) {
        int rank = shape.length;
        long[] fortranStride = new long[rank];
        long stride = width;
        for (int axis = 0; axis < rank; axis++) {
            fortranStride[axis] = stride;
            stride *= shape[axis];
        }
        byte[] out = new byte[data.length];
        long[] index = new long[rank];
        long source = 0;
        for (int target = 0; target < out.length; target += width) {
            System.arraycopy(data, (int) source, out, target, width);
            // Advance the C-order index (last axis fastest), keeping the Fortran offset in step.
            for (int axis = rank - 1; axis >= 0; axis--) {
                index[axis]++;
                source += fortranStride[axis];
                if (index[axis] < shape[axis]) {
                    break;
                }
                source -= index[axis] * fortranStride[axis];
                index[axis] = 0;
            }
        }
        return out;
    }

    /**
     * The header {@code numpy.save} writes for a C-order little-endian array: version 1.0 (2.0 only if the dict
     * outgrows 64 KiB), keys sorted, room to grow the first axis, padded with spaces and a newline to 64 bytes.
     */
    static byte[] headerBytes(Path file, String subject, DType dtype, long[] shape) throws CheckpointException {
        if (dtype.numpyDescr() == null) {
            throw new CheckpointException(file, subject + " is " + dtype + ", which NumPy has no dtype for: "
                    + "convert it to float32 first");
        }
        CheckpointIo.dataBytes(file, subject, dtype, shape);
        StringBuilder dict = new StringBuilder("{'descr': '").append(dtype.numpyDescr())
                .append("', 'fortran_order': False, 'shape': (");
        for (int i = 0; i < shape.length; i++) {
            dict.append(i > 0 ? ", " : "").append(shape[i]);
        }
        dict.append(shape.length == 1 ? ",), }" : "), }");
        if (shape.length > 0) {
            dict.append(" ".repeat(GROWTH_AXIS_MAX_DIGITS - Long.toString(shape[0]).length()));
        }
        byte[] text = dict.toString().getBytes(StandardCharsets.ISO_8859_1);
        int lengthBytes = 2;
        int length = paddedLength(text.length, lengthBytes);
        if (length > 0xffff) {
            lengthBytes = 4;
            length = paddedLength(text.length, lengthBytes);
        }
        int padding = length - text.length - 1;
        ByteBuffer out = ByteBuffer.allocate(MAGIC.length + 2 + lengthBytes + length).order(ByteOrder.LITTLE_ENDIAN);
        out.put(MAGIC).put((byte) (lengthBytes == 2 ? 1 : 2)).put((byte) 0);
        if (lengthBytes == 2) {
            out.putShort((short) length);
        } else {
            out.putInt(length);
        }
        out.put(text);
        for (int i = 0; i < padding; i++) {
            out.put((byte) ' ');
        }
        out.put((byte) '\n');
        return out.array();
    }

    /** Dict, spaces and newline, so that the data starts at a multiple of 64 (numpy adds 64 when already there). */
    private static int paddedLength(int dictBytes, int lengthBytes) {
        int unpadded = MAGIC.length + 2 + lengthBytes + dictBytes + 1;
        return dictBytes + 1 + ALIGN - unpadded % ALIGN;
    }

    /** A Python tuple (a list is a plain {@link List}): NumPy requires the shape to be a tuple. */
    record Tuple(List<Object> items) {
    }

    /**
     * A parser for the Python literals a {@code .npy} header may hold: dicts, tuples, lists, strings, integers,
     * {@code True}, {@code False}, {@code None}. Linear in the input and nested at most {@link #MAX_DEPTH} deep.
     */
    private static final class Literal {

        private static final int MAX_DEPTH = 16;
        private static final int MAX_DIGITS = 18;
        private static final Object NONE = new Object();

        private final String text;
        private final Path file;
        private final String subject;
        private int at;

        Literal(String text, Path file, String subject) {
            this.text = text;
            this.file = file;
            this.subject = subject;
        }

        Object parseWhole() throws CheckpointException {
            skipSpace();
            Object value = value(0);
            skipSpace();
            if (at < text.length()) {
                throw error("unexpected " + describe() + " after the dict");
            }
            return value;
        }

        private Object value(int depth) throws CheckpointException {
            if (depth > MAX_DEPTH) {
                throw error("nested more than " + MAX_DEPTH + " deep");
            }
            if (at >= text.length()) {
                throw error("ends where a value should be");
            }
            char c = text.charAt(at);
            switch (c) {
                case '{':
                    return dict(depth);
                case '(':
                    return tuple(depth);
                case '[':
                    return list(depth);
                case '\'':
                case '"':
                    return string();
                default:
                    break;
            }
            if (c == '-' || c == '+' || (c >= '0' && c <= '9')) {
                return integer();
            }
            if ((c == 'u' || c == 'b') && at + 1 < text.length()
                    && (text.charAt(at + 1) == '\'' || text.charAt(at + 1) == '"')) {
                at++; // Python 2 unicode and bytes prefixes
                return string();
            }
            for (String word : List.of("True", "False", "None")) {
                if (text.startsWith(word, at)) {
                    at += word.length();
                    return word.equals("None") ? NONE : Boolean.valueOf(word.equals("True"));
                }
            }
            throw error("unexpected " + describe());
        }

        private Map<String, Object> dict(int depth) throws CheckpointException {
            Map<String, Object> map = new LinkedHashMap<>();
            at++;
            skipSpace();
            while (!peek('}')) {
                Object key = value(depth + 1);
                if (!(key instanceof String name)) {
                    throw error("has a dict key that is not a string");
                }
                skipSpace();
                expect(':');
                skipSpace();
                Object value = value(depth + 1);
                if (map.put(name, value) != null) {
                    throw error("has the key " + CheckpointIo.quote(name) + " twice");
                }
                skipSpace();
                if (!peek('}')) {
                    expect(',');
                    skipSpace();
                }
            }
            at++;
            return map;
        }

        /** {@code (x)} is x itself, {@code ()} and {@code (x,)} are tuples, as in Python. */
        private Object tuple(int depth) throws CheckpointException {
            List<Object> items = new ArrayList<>();
            boolean comma = sequence(depth, ')', items);
            return items.size() == 1 && !comma ? items.get(0) : new Tuple(items);
        }

        private List<Object> list(int depth) throws CheckpointException {
            List<Object> items = new ArrayList<>();
            sequence(depth, ']', items);
            return items;
        }

        /** Parses items up to the closing character; tells whether a comma followed the last one. */
        private boolean sequence(int depth, char close, List<Object> items) throws CheckpointException {
            at++;
            skipSpace();
            boolean comma = false;
            while (!peek(close)) {
                items.add(value(depth + 1));
                skipSpace();
                comma = false;
                if (!peek(close)) {
                    expect(',');
                    comma = true;
                    skipSpace();
                }
            }
            at++;
            return comma;
        }

        private String string() throws CheckpointException {
            char quote = text.charAt(at++);
            StringBuilder out = new StringBuilder();
            while (at < text.length()) {
                char c = text.charAt(at++);
                if (c == quote) {
                    return out.toString();
                }
                if (c == '\n') {
                    break;
                }
                if (c == '\\' && at < text.length()) {
                    c = text.charAt(at++);
                }
                out.append(c);
            }
            throw error("has an unterminated string");
        }

        /** A decimal integer as a Long, allowing Python 2's {@code L} suffix. */
        private Object integer() throws CheckpointException {
            boolean negative = text.charAt(at) == '-';
            if (text.charAt(at) == '-' || text.charAt(at) == '+') {
                at++;
            }
            int start = at;
            long value = 0;
            while (at < text.length() && text.charAt(at) >= '0' && text.charAt(at) <= '9') {
                if (at - start >= MAX_DIGITS) {
                    throw error("has an integer too large for a dimension");
                }
                value = value * 10 + (text.charAt(at++) - '0');
            }
            if (at == start) {
                throw error("has a sign without a number");
            }
            if (at < text.length() && (text.charAt(at) == 'L' || text.charAt(at) == 'l')) {
                at++;
            }
            if (at < text.length() && (Character.isLetterOrDigit(text.charAt(at)) || text.charAt(at) == '.')) {
                throw error("has a number that is not a decimal integer");
            }
            return negative ? -value : value;
        }

        private void skipSpace() {
            while (at < text.length() && " \t\n\r\f\u000b".indexOf(text.charAt(at)) >= 0) {
                at++;
            }
        }

        private boolean peek(char c) throws CheckpointException {
            if (at >= text.length()) {
                throw error("ends before its closing '" + c + "'");
            }
            return text.charAt(at) == c;
        }

        private void expect(char c) throws CheckpointException {
            if (at >= text.length() || text.charAt(at) != c) {
                throw error("has " + describe() + " where '" + c + "' should be");
            }
            at++;
        }

        private String describe() {
            return at >= text.length() ? "the end" : CheckpointIo.quote(String.valueOf(text.charAt(at)))
                    + " at offset " + at;
        }

        private CheckpointException error(String problem) {
            return new CheckpointException(file, subject + " has a .npy header that is not a valid dict literal: "
                    + "it " + problem);
        }
    }
}

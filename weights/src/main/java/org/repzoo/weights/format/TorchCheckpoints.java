package org.repzoo.weights.format;

import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.repzoo.weights.format.RestrictedUnpickler.Dict;
import org.repzoo.weights.format.RestrictedUnpickler.Global;
import org.repzoo.weights.format.RestrictedUnpickler.StorageRef;
import org.repzoo.weights.format.RestrictedUnpickler.TensorRef;
import org.repzoo.weights.format.RestrictedUnpickler.Tuple;

/**
 * Reads {@code torch.save} checkpoints (PyTorch's {@code torch/serialization.py}, as written from 0.2 to 2.x) without
 * Python and without running anything from the file: the pickle goes through {@link RestrictedUnpickler}, storages
 * are located and bounds-checked when the file is opened and read on demand.
 *
 * <p>Zip format (since 1.6): {@code <archive>/data.pkl}, one entry per storage {@code <archive>/data/<key>}, and
 * optionally {@code <archive>/byteorder}. Legacy format ({@code _use_new_zipfile_serialization=False}, and
 * torchvision's pre-2020 weights): pickles of the magic number, protocol version 1001, sys_info, the object and the
 * storage keys, then each storage as an 8-byte little-endian element count and its little-endian bytes. The older
 * tar-based format of early PyTorch releases is recognised and refused.
 *
 * <p>The state_dict is the top-level dict if all its values are tensors, else the dict under {@code "state_dict"} or
 * {@code "model"} (the other entries of such a training checkpoint are read and ignored).
 */
public final class TorchCheckpoints {

    private static final BigInteger LEGACY_MAGIC = new BigInteger("1950a86a20f9469cfc6c", 16);
    private static final long LEGACY_PROTOCOL = 1001;
    private static final String[] WRAPPERS = {"state_dict", "model"};
    private static final int KEYS_IN_MESSAGES = 10;
    /** Deflate expands at most 1032-fold (as in {@link Npz}); the rest is slack for block headers. */
    private static final long MAX_DEFLATE_RATIO = 1032;
    private static final long DEFLATE_SLACK = 1 << 10;

    private TorchCheckpoints() {
    }

    /** Opens a zip-format checkpoint ({@code torch.save} since PyTorch 1.6). */
    public static Checkpoint openZip(Path file) throws IOException {
        ZipFile zip = zipCall(file, "the directory", () -> new ZipFile(file.toFile()));
        try {
            return readZip(file, zip);
        } catch (CheckpointException e) {
            closeAfterFailure(zip, e);
            throw e;
        } catch (RuntimeException e) {
            CheckpointException failure = internalError(file, e);
            closeAfterFailure(zip, failure);
            throw failure;
        } catch (Error e) {
            closeAfterFailure(zip, e);
            throw e;
        }
    }

    /** Opens a legacy-format checkpoint (a stream of pickles and storages). */
    public static Checkpoint openLegacy(Path file) throws IOException {
        FileChannel channel;
        try {
            channel = FileChannel.open(file, StandardOpenOption.READ);
        } catch (IOException e) {
            throw new CheckpointException(file, "cannot open: " + e, e);
        }
        try {
            return readLegacy(file, channel);
        } catch (CheckpointException e) {
            closeAfterFailure(channel, e);
            throw e;
        } catch (IOException e) {
            CheckpointException failure = new CheckpointException(file, "cannot read: " + e, e);
            closeAfterFailure(channel, failure);
            throw failure;
        } catch (RuntimeException e) {
            CheckpointException failure = internalError(file, e);
            closeAfterFailure(channel, failure);
            throw failure;
        } catch (Error e) {
            closeAfterFailure(channel, e);
            throw e;
        }
    }

    // ---- zip ---------------------------------------------------------------------------------------------------

    private static Checkpoint readZip(Path file, ZipFile zip) throws CheckpointException {
        String prefix = zipCall(file, "the entry names", () -> archivePrefix(file, zip));
        if (entry(file, zip, prefix + "constants.pkl") != null || entry(file, zip, prefix + "code/") != null) {
            throw new CheckpointException(file, "a TorchScript archive (torch.jit.save), not a torch.save checkpoint: "
                    + "save the model's state_dict() with torch.save");
        }
        boolean bigEndian = bigEndian(file, zip, prefix);
        byte[] pickle = readPickle(file, zip, entry(file, zip, prefix + "data.pkl"));
        Map<String, TorchStorage> storages = new HashMap<>();
        Map<String, DType> dtypes = new HashMap<>();
        RestrictedUnpickler.PersistentLoader loader = id -> {
            List<Object> fields = storageId(file, id, 5);
            DType dtype = storageType(file, fields.get(1));
            String key = storageKey(file, fields.get(2));
            long numel = nonNegative(file, fields.get(4), "storage size");
            long bytes = storageBytes(file, key, numel, dtype);
            DType earlier = dtypes.putIfAbsent(key, dtype);
            if (earlier != null && earlier != dtype) {
                throw new CheckpointException(file, "storage '" + RestrictedUnpickler.printable(key)
                        + "' is used as both " + earlier + " and " + dtype);
            }
            ZipEntry entry = entry(file, zip, prefix + "data/" + key);
            if (entry == null || entry.isDirectory()) {
                throw new CheckpointException(file, "storage '" + RestrictedUnpickler.printable(key)
                        + "' is missing: no entry " + RestrictedUnpickler.printable(prefix + "data/" + key));
            }
            requirePlausibleSize(file, entry, key);
            if (entry.getSize() < bytes) {
                throw new CheckpointException(file, "truncated: storage '" + RestrictedUnpickler.printable(key)
                        + "' needs " + bytes + " bytes, its entry has " + entry.getSize());
            }
            storages.putIfAbsent(key, new TorchStorage.ZipEntryData(file, zip, entry));
            return new StorageRef(key, dtype, 0, numel);
        };
        Object root = new RestrictedUnpickler(file, "data.pkl", PickleInput.of(pickle), loader).load();
        return checkpoint(file, CheckpointFormat.TORCH_ZIP, root, storages, bigEndian, zip);
    }

    /** The folder holding {@code data.pkl} ({@code "archive/"}, named after the file torch.save wrote). */
    private static String archivePrefix(Path file, ZipFile zip) throws CheckpointException {
        String found = null;
        Enumeration<? extends ZipEntry> entries = zip.entries();
        while (entries.hasMoreElements()) {
            String name = entries.nextElement().getName();
            if (name.equals("data.pkl") || name.endsWith("/data.pkl") && name.indexOf('/') == name.length() - 9) {
                if (found != null) {
                    throw new CheckpointException(file, "several data.pkl entries (" + RestrictedUnpickler.printable(
                            found) + ", " + RestrictedUnpickler.printable(name) + ")");
                }
                found = name;
            }
        }
        if (found == null) {
            throw new CheckpointException(file, "a zip without <archive>/data.pkl: not a torch.save checkpoint");
        }
        return found.substring(0, found.length() - "data.pkl".length());
    }

    private static boolean bigEndian(Path file, ZipFile zip, String prefix) throws CheckpointException {
        ZipEntry entry = entry(file, zip, prefix + "byteorder");
        if (entry == null) {
            return false;
        }
        String order = zipCall(file, "entry byteorder", () -> {
            try (InputStream in = zip.getInputStream(entry)) {
                return new String(in.readNBytes(16), StandardCharsets.ISO_8859_1).strip();
            }
        });
        return switch (order) {
            case "little" -> false;
            case "big" -> true;
            default -> throw new CheckpointException(file, "unknown byteorder '" + RestrictedUnpickler.printable(order)
                    + "' (expected little or big)");
        };
    }

    /** data.pkl, at most what the entry can hold (a stored entry no more than the file, a deflated one 16 times). */
    private static byte[] readPickle(Path file, ZipFile zip, ZipEntry entry) throws CheckpointException {
        long limit = Math.min(Shapes.MAX_TENSOR_BYTES, 16 * file.toFile().length() + (1 << 20));
        byte[] pickle = zipCall(file, "entry data.pkl", () -> {
            try (InputStream in = zip.getInputStream(entry)) {
                return in.readNBytes((int) limit + 1);
            }
        });
        if (pickle.length > limit) {
            throw new CheckpointException(file, "data.pkl is larger than " + limit + " bytes");
        }
        return pickle;
    }

    /** A call into java.util.zip, whose failures on a corrupt file are not all IOExceptions. */
    @FunctionalInterface
    private interface ZipCall<T> {
        T call() throws IOException;
    }

    private static <T> T zipCall(Path file, String what, ZipCall<T> call) throws CheckpointException {
        try {
            return call.call();
        } catch (CheckpointException e) {
            throw e;
        } catch (EOFException e) {
            throw new CheckpointException(file, "truncated zip (" + what + " ends early)", e);
        } catch (IOException | RuntimeException e) {
            throw new CheckpointException(file, "corrupt zip (" + what + ": " + e.getMessage() + "), truncated?", e);
        }
    }

    private static ZipEntry entry(Path file, ZipFile zip, String name) throws CheckpointException {
        return zipCall(file, "entry " + RestrictedUnpickler.printable(name), () -> zip.getEntry(name));
    }

    /**
     * Refuses a storage entry whose declared size its bytes in the file cannot hold (a corrupt or crafted central
     * directory): a tensor's buffer is allocated from that size before the entry is read.
     */
    private static void requirePlausibleSize(Path file, ZipEntry entry, String key) throws CheckpointException {
        long size = entry.getSize();
        long compressed = entry.getCompressedSize();
        boolean plausible = size >= 0 && compressed >= 0 && compressed <= file.toFile().length()
                && switch (entry.getMethod()) {
                    case ZipEntry.STORED -> size == compressed;
                    case ZipEntry.DEFLATED -> size <= compressed * MAX_DEFLATE_RATIO + DEFLATE_SLACK;
                    default -> false;
                };
        if (!plausible) {
            throw new CheckpointException(file, "corrupt zip: the entry of storage '" + RestrictedUnpickler.printable(
                    key) + "' claims " + size + " bytes from " + compressed + " bytes (compression method "
                    + entry.getMethod() + ") in a file of " + file.toFile().length() + " bytes");
        }
    }

    private static long storageBytes(Path file, String key, long numel, DType dtype) throws CheckpointException {
        if (numel > Long.MAX_VALUE / dtype.width()) {
            throw new CheckpointException(file, "storage '" + RestrictedUnpickler.printable(key) + "' of " + numel
                    + " elements overflows");
        }
        return numel * dtype.width();
    }

    // ---- legacy ------------------------------------------------------------------------------------------------

    /** A storage as the legacy pickle declares it. */
    private record LegacyRoot(DType dtype, long numel) {
    }

    private static Checkpoint readLegacy(Path file, FileChannel channel) throws IOException {
        long size = channel.size();
        if (isTar(channel, size)) {
            throw new CheckpointException(file, "a tar archive: the checkpoint format of early PyTorch releases "
                    + "(members storages, tensors, pickle), which RepZoo does not read; load it in PyTorch and save it "
                    + "again with torch.save");
        }
        PickleInput in = PickleInput.of(channel, 0, size);
        Object magic = new RestrictedUnpickler(file, "magic number", in, null).load();
        if (!LEGACY_MAGIC.equals(magic instanceof Long number ? BigInteger.valueOf(number) : magic)) {
            throw new CheckpointException(file, "not a torch.save checkpoint: a pickle without PyTorch's magic number");
        }
        Object protocol = new RestrictedUnpickler(file, "protocol version", in, null).load();
        if (!(protocol instanceof Long version) || version != LEGACY_PROTOCOL) {
            throw new CheckpointException(file, "legacy protocol version " + (protocol instanceof Long ? protocol
                    : RestrictedUnpickler.typeName(protocol)) + " is not supported (expected " + LEGACY_PROTOCOL + ")");
        }
        Object sysInfo = new RestrictedUnpickler(file, "sys_info", in, null).load();
        if (!(sysInfo instanceof Dict info)) {
            throw new CheckpointException(file, "sys_info is a " + RestrictedUnpickler.typeName(sysInfo) + ", not a dict");
        }
        // Storage bytes are little-endian whatever the machine; older PyTorch wrote the count in native order.
        boolean bigEndianCounts = Boolean.FALSE.equals(info.items.get("little_endian"));

        Map<String, LegacyRoot> roots = new LinkedHashMap<>();
        RestrictedUnpickler.PersistentLoader loader = id -> legacyStorage(file, id, roots);
        Object root = new RestrictedUnpickler(file, "object pickle", in, loader).load();
        Object keyList = new RestrictedUnpickler(file, "storage key list", in, null).load();
        if (!(keyList instanceof RestrictedUnpickler.PyList keys)) {
            throw new CheckpointException(file, "the storage key list is a " + RestrictedUnpickler.typeName(keyList)
                    + ", not a list");
        }

        Map<String, TorchStorage> storages = new HashMap<>();
        long position = in.position();
        ByteBuffer countBytes = ByteBuffer.allocate(Long.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (Object item : keys.items) {
            String key = storageKey(file, item);
            LegacyRoot declared = roots.get(key);
            if (declared == null) {
                throw new CheckpointException(file, "the file holds data for storage '" + RestrictedUnpickler.printable(
                        key) + "', which no tensor uses");
            }
            if (storages.containsKey(key)) {
                throw new CheckpointException(file, "storage '" + RestrictedUnpickler.printable(key) + "' listed twice");
            }
            if (size - position < Long.BYTES) {
                throw new CheckpointException(file, "truncated: the file ends before storage '"
                        + RestrictedUnpickler.printable(key) + "'");
            }
            countBytes.clear();
            while (countBytes.hasRemaining()) {
                if (channel.read(countBytes, position + countBytes.position()) < 0) {
                    throw new CheckpointException(file, "truncated: the file ends before storage '"
                            + RestrictedUnpickler.printable(key) + "'");
                }
            }
            long count = countBytes.getLong(0);
            if (count != declared.numel() && !(bigEndianCounts && Long.reverseBytes(count) == declared.numel())) {
                throw new CheckpointException(file, "storage '" + RestrictedUnpickler.printable(key) + "' holds "
                        + count + " elements, the pickle says " + declared.numel());
            }
            long bytes = storageBytes(file, key, declared.numel(), declared.dtype());
            long start = position + Long.BYTES;
            if (bytes > size - start) {
                throw new CheckpointException(file, "truncated: storage '" + RestrictedUnpickler.printable(key)
                        + "' needs " + bytes + " bytes from offset " + start + ", the file has " + size);
            }
            storages.put(key, new TorchStorage.FileRegion(file, channel, start, bytes));
            position = start + bytes;
        }
        for (String key : roots.keySet()) {
            if (!storages.containsKey(key)) {
                throw new CheckpointException(file, "storage '" + RestrictedUnpickler.printable(key)
                        + "' has no data in the file");
            }
        }
        return checkpoint(file, CheckpointFormat.TORCH_LEGACY, root, storages, false, channel);
    }

    /** A checkpoint of early PyTorch: a POSIX tar ("ustar" at offset 257). */
    private static boolean isTar(FileChannel channel, long size) throws IOException {
        if (size < 262) {
            return false;
        }
        ByteBuffer magic = ByteBuffer.allocate(5);
        while (magic.hasRemaining() && channel.read(magic, 257 + magic.position()) >= 0) {
            // keep reading
        }
        return new String(magic.array(), StandardCharsets.ISO_8859_1).equals("ustar");
    }

    /** {@code ('storage', storage_type, root_key, location, numel, view_metadata)}. */
    private static StorageRef legacyStorage(Path file, Object id, Map<String, LegacyRoot> roots)
            throws CheckpointException {
        List<Object> fields = storageId(file, id, 6);
        DType dtype = storageType(file, fields.get(1));
        String key = storageKey(file, fields.get(2));
        long numel = nonNegative(file, fields.get(4), "storage size");
        storageBytes(file, key, numel, dtype);
        LegacyRoot root = roots.putIfAbsent(key, new LegacyRoot(dtype, numel));
        if (root != null && (root.dtype() != dtype || root.numel() != numel)) {
            throw new CheckpointException(file, "storage '" + RestrictedUnpickler.printable(key) + "' is declared as "
                    + root.numel() + " " + root.dtype() + " and as " + numel + " " + dtype);
        }
        Object view = fields.get(5);
        if (view == null) {
            return new StorageRef(key, dtype, 0, numel);
        }
        if (!(view instanceof Tuple tuple) || tuple.items.size() != 3) {
            throw new CheckpointException(file, "storage view of storage '" + RestrictedUnpickler.printable(key)
                    + "' is a " + RestrictedUnpickler.typeName(view) + ", not (view_key, offset, size)");
        }
        long offset = nonNegative(file, tuple.items.get(1), "storage view offset");
        long viewSize = nonNegative(file, tuple.items.get(2), "storage view size");
        if (viewSize > numel - offset) {
            throw new CheckpointException(file, "storage view [" + offset + ", +" + viewSize + ") lies outside storage '"
                    + RestrictedUnpickler.printable(key) + "' of " + numel + " elements");
        }
        return new StorageRef(key, dtype, offset, viewSize);
    }

    // ---- persistent ids ----------------------------------------------------------------------------------------

    private static List<Object> storageId(Path file, Object id, int fields) throws CheckpointException {
        if (!(id instanceof Tuple tuple) || tuple.items.isEmpty()) {
            throw new CheckpointException(file, "a persistent id that is a " + RestrictedUnpickler.typeName(id)
                    + ", not a storage tuple");
        }
        Object kind = tuple.items.get(0);
        if (kind instanceof byte[] bytes) {
            kind = new String(bytes, StandardCharsets.ISO_8859_1);
        }
        if (!"storage".equals(kind)) {
            throw new CheckpointException(file, "a persistent id of kind " + (kind instanceof String text
                    ? "'" + RestrictedUnpickler.printable(text) + "'" : "(a " + RestrictedUnpickler.typeName(kind) + ")")
                    + ": only storages are supported" + ("module".equals(kind)
                    ? " (a whole pickled nn.Module: save its state_dict() instead)" : ""));
        }
        if (tuple.items.size() != fields) {
            throw new CheckpointException(file, "a storage persistent id with " + tuple.items.size()
                    + " fields, expected " + fields);
        }
        return tuple.items;
    }

    private static DType storageType(Path file, Object type) throws CheckpointException {
        if (type instanceof Global global && global.dtype() != null) {
            return global.dtype();
        }
        throw new CheckpointException(file, "a storage whose type is a " + RestrictedUnpickler.typeName(type)
                + ", not a torch storage class");
    }

    private static String storageKey(Path file, Object key) throws CheckpointException {
        if (key instanceof String text) {
            return text;
        }
        throw new CheckpointException(file, "a storage key that is a " + RestrictedUnpickler.typeName(key)
                + ", not a str");
    }

    private static long nonNegative(Path file, Object value, String what) throws CheckpointException {
        if (value instanceof Long number && number >= 0) {
            return number;
        }
        throw new CheckpointException(file, what + " is " + (value instanceof Long ? value
                : "a " + RestrictedUnpickler.typeName(value)) + ", not a non-negative int");
    }

    // ---- the state_dict ----------------------------------------------------------------------------------------

    private static Checkpoint checkpoint(Path file, CheckpointFormat format, Object root,
                                         Map<String, TorchStorage> storages, boolean bigEndian, Closeable resources)
            throws CheckpointException {
        String wrapper = wrapper(file, root);
        Dict stateDict = wrapper == null ? (Dict) root : (Dict) ((Dict) root).items.get(wrapper);
        String where = wrapper == null ? "the state_dict" : "the state_dict under '" + wrapper + "'";
        if (stateDict.items.isEmpty()) {
            throw new CheckpointException(file, where + " is empty");
        }
        Map<String, StoredTensor> tensors = new LinkedHashMap<>();
        for (Map.Entry<Object, Object> entry : stateDict.items.entrySet()) {
            if (!(entry.getKey() instanceof String key)) {
                throw new CheckpointException(file, where + " has a key that is a "
                        + RestrictedUnpickler.typeName(entry.getKey()) + ", not a str");
            }
            if (!(entry.getValue() instanceof TensorRef tensor)) {
                throw new CheckpointException(file, where + " maps '" + RestrictedUnpickler.printable(key) + "' to a "
                        + RestrictedUnpickler.typeName(entry.getValue()) + ", not a tensor");
            }
            StorageRef storage = tensor.storage;
            TorchStorage data = storages.get(storage.key());
            if (data == null) { // every storage the pickle names was located while it was read
                throw new CheckpointException(file, "storage '" + RestrictedUnpickler.printable(storage.key())
                        + "' has no data");
            }
            tensors.put(key, new TorchTensor(file, key, storage.dtype(), tensor.size, tensor.stride,
                    storage.viewOffset() + tensor.offset, storage.viewOffset() + tensor.lastIndex, data, bigEndian));
        }
        return new Checkpoint(file, format, tensors, wrapper, resources);
    }

    /** Null if the top level is the state_dict, else the key of the dict that is. */
    private static String wrapper(Path file, Object root) throws CheckpointException {
        if (!(root instanceof Dict top)) {
            throw new CheckpointException(file, "top level is a " + RestrictedUnpickler.typeName(root)
                    + ", not a dict: no state_dict found");
        }
        boolean anyTensor = false;
        boolean allTensors = true;
        for (Object value : top.items.values()) {
            anyTensor |= value instanceof TensorRef;
            allTensors &= value instanceof TensorRef;
        }
        if (allTensors && anyTensor) {
            return null;
        }
        for (String wrapper : WRAPPERS) {
            if (top.items.get(wrapper) instanceof Dict) {
                return wrapper;
            }
        }
        if (anyTensor) {
            return null; // a state_dict with a stray value: checkpoint() names it
        }
        StringJoiner keys = new StringJoiner(", ", "[", top.items.size() > KEYS_IN_MESSAGES ? ", ...]" : "]");
        int shown = 0;
        for (Object key : top.items.keySet()) {
            if (shown++ == KEYS_IN_MESSAGES) {
                break;
            }
            keys.add(key instanceof String text ? RestrictedUnpickler.printable(text)
                    : key instanceof Long || key instanceof Boolean || key == null ? String.valueOf(key)
                    : RestrictedUnpickler.typeName(key));
        }
        throw new CheckpointException(file, top.items.isEmpty() ? "top level is an empty dict: no tensors"
                : "top level is a dict with keys " + keys + ": no state_dict, model or tensor dict found");
    }

    private static CheckpointException internalError(Path file, RuntimeException e) {
        return new CheckpointException(file, "internal error while reading the checkpoint (a RepZoo bug): " + e, e);
    }

    private static void closeAfterFailure(Closeable resource, Throwable failure) {
        try {
            resource.close();
        } catch (IOException | RuntimeException e) {
            failure.addSuppressed(e);
        }
    }
}

package org.repzoo.weights.format;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A pickle reader for {@code torch.save} files that builds plain Java values and never runs code: only the globals of
 * {@link Global.Kind} resolve (OrderedDict, torch's tensor-rebuild functions, storage classes, {@code torch.Size},
 * {@code set}/{@code frozenset}, {@code _codecs.encode}); any other global ({@code os.system},
 * {@code argparse.Namespace}, a model class, numpy) is refused when it is named, before anything could call it.
 *
 * <p>Follows CPython's {@code pickle._Unpickler} (protocols 2 to 5, the binary opcodes) including its mark stack, so a
 * valid pickle reads as it would in Python. Every length is checked against the bytes left before anything is
 * allocated, the stack, memo and object count are capped, a call that copies a container (which a memo reference
 * could repeat cheaply) may copy no more elements in all than the bytes read, and the machine is iterative (no
 * recursion), so any input ends in a value or a {@link CheckpointException} in time and memory linear in its size.
 *
 * <p>Values: {@code None} is null, int is Long (BigInteger beyond 64 bits), float Double, bool Boolean, str String,
 * bytes {@code byte[]}, and containers are {@link Dict}, {@link PyList}, {@link Tuple} and {@link PySet}, which compare
 * by identity (so a crafted container that holds itself cannot send hashing or printing into a loop).
 */
final class RestrictedUnpickler {

    /** Most values on the stack at once (CPython's pickler batches APPENDS/SETITEMS by 1000). */
    static final int MAX_STACK = 1 << 20;
    /** Most memo entries. */
    static final int MAX_MEMO = 1 << 24;
    /**
     * Most values pushed in one pickle (about 30 per tensor), which caps its memory whatever its size: each push
     * costs at most an empty container, some 100 bytes.
     */
    static final long MAX_PUSHES = 1L << 24;
    private static final int MAX_SPARSE_MEMO = 1 << 16;
    /** Most dimensions of a tensor (PyTorch itself allows 64 at most in practice). */
    static final int MAX_DIMS = 64;
    /** Slack of the copy budget, which is otherwise the number of bytes read. */
    private static final long COPY_SLACK = 1 << 16;
    private static final int MAX_NAME_CHARS = 256;
    private static final int HIGHEST_PROTOCOL = 5;

    /** Resolves a persistent id (torch's reference to a storage) to the value that stands for it. */
    @FunctionalInterface
    interface PersistentLoader {
        Object load(Object persistentId) throws CheckpointException;
    }

    /** A Python tuple. */
    static final class Tuple {
        final List<Object> items;

        Tuple(List<Object> items) {
            this.items = items;
        }
    }

    /** A Python list. */
    static final class PyList {
        final List<Object> items = new ArrayList<>();
    }

    /** A Python dict or OrderedDict, in insertion order. */
    static final class Dict {
        final Map<Object, Object> items = new LinkedHashMap<>();
    }

    /** A Python set or frozenset. */
    static final class PySet {
        final List<Object> items = new ArrayList<>();
    }

    /** A storage a tensor points into: elements {@code [viewOffset, viewOffset + numel)} of storage {@code key}. */
    record StorageRef(String key, DType dtype, long viewOffset, long numel) {
    }

    /** A tensor as torch rebuilds it: a strided view of a storage, with its bounds already checked. */
    static final class TensorRef {
        final StorageRef storage;
        final long offset;
        final long[] size;
        final long[] stride;
        /** Storage index of the last element (for an empty tensor, {@code offset - 1}). */
        final long lastIndex;

        TensorRef(StorageRef storage, long offset, long[] size, long[] stride, long lastIndex) {
            this.storage = storage;
            this.offset = offset;
            this.size = size;
            this.stride = stride;
            this.lastIndex = lastIndex;
        }
    }

    /** A global the pickle named that is on the allow-list. */
    record Global(String module, String name, Kind kind, DType dtype) {

        enum Kind {
            ORDERED_DICT, REBUILD_TENSOR, REBUILD_TENSOR_V2, REBUILD_PARAMETER, REBUILD_PARAMETER_WITH_STATE,
            REBUILD_FROM_TYPE_V2, TENSOR_CLASS, STORAGE, SIZE, SET, FROZENSET, CODECS_ENCODE
        }

        /** The allowed global of that name, or null. */
        static Global resolve(String module, String name) {
            Kind kind = switch (module + " " + name) {
                case "collections OrderedDict" -> Kind.ORDERED_DICT;
                case "torch._utils _rebuild_tensor" -> Kind.REBUILD_TENSOR;
                case "torch._utils _rebuild_tensor_v2" -> Kind.REBUILD_TENSOR_V2;
                case "torch._utils _rebuild_parameter" -> Kind.REBUILD_PARAMETER;
                case "torch._utils _rebuild_parameter_with_state" -> Kind.REBUILD_PARAMETER_WITH_STATE;
                case "torch._tensor _rebuild_from_type_v2" -> Kind.REBUILD_FROM_TYPE_V2;
                case "torch Tensor", "torch.nn.parameter Parameter" -> Kind.TENSOR_CLASS;
                case "torch Size" -> Kind.SIZE;
                case "builtins set", "__builtin__ set" -> Kind.SET;
                case "builtins frozenset", "__builtin__ frozenset" -> Kind.FROZENSET;
                case "_codecs encode" -> Kind.CODECS_ENCODE;
                default -> null;
            };
            if (kind != null) {
                return new Global(module, name, kind, null);
            }
            if (module.equals("torch") || module.equals("torch.cuda")) {
                for (DType dtype : DType.values()) {
                    if (dtype.torchStorageName().equals(name)) {
                        return new Global(module, name, Kind.STORAGE, dtype);
                    }
                }
            }
            return null;
        }

        String qualifiedName() {
            return module + "." + name;
        }
    }

    private static final Object[] NO_ITEMS = {};

    private final Path file;
    private final String source;
    private final PickleInput in;
    private final PersistentLoader persistentLoader;

    private final ArrayList<Object> stack = new ArrayList<>();
    private int[] marks = new int[16];
    private int markCount;
    private final ArrayList<Object> memo = new ArrayList<>();
    /** Memo entries at indices beyond the dense part (only a hand-made pickle leaves gaps). */
    private final Map<Long, Object> sparseMemo = new HashMap<>();
    private long pushes;
    /** Elements copied by calls (OrderedDict(pairs), set(list), ...), held to the bytes read so far. */
    private long copied;
    private long opcodeAt;
    private final byte[] scratch = new byte[8];

    /**
     * @param source           what is being read, for messages ({@code "data.pkl"})
     * @param persistentLoader resolves BINPERSID, or null where the pickle may hold none
     */
    RestrictedUnpickler(Path file, String source, PickleInput in, PersistentLoader persistentLoader) {
        this.file = file;
        this.source = source;
        this.in = in;
        this.persistentLoader = persistentLoader;
    }

    /** Reads one pickle, up to and including its STOP opcode, and returns its value. */
    Object load() throws CheckpointException {
        try {
            return run();
        } catch (CheckpointException e) {
            throw e;
        } catch (IOException e) {
            throw new CheckpointException(file, "cannot read " + source + ": " + e.getMessage(), e);
        }
    }

    private Object run() throws IOException {
        while (true) {
            opcodeAt = in.position();
            int opcode = in.read();
            switch (opcode) {
                case -1 -> throw fail("truncated: the pickle ends without a STOP opcode");
                case 0x80 -> { // PROTO
                    int protocol = u8();
                    if (protocol > HIGHEST_PROTOCOL) {
                        throw fail("pickle protocol " + protocol + " is not supported (highest is 5)");
                    }
                }
                case 0x95 -> s64(); // FRAME: a hint for buffering; the opcodes follow as usual
                case '.' -> { // STOP
                    return pop();
                }
                case '(' -> pushMark();
                case '0' -> { // POP
                    if (stack.size() > base()) {
                        stack.remove(stack.size() - 1);
                    } else {
                        popMark();
                    }
                }
                case '1' -> popMark(); // POP_MARK
                case '2' -> push(peek()); // DUP
                case 'N' -> push(null);
                case 0x88 -> push(Boolean.TRUE);
                case 0x89 -> push(Boolean.FALSE);
                case 'J' -> push((long) s32());
                case 'K' -> push((long) u8());
                case 'M' -> push((long) (u8() | u8() << 8));
                case 0x8a -> push(bigInt(u8()));
                case 0x8b -> push(bigInt(s32()));
                case 'G' -> push(Double.longBitsToDouble(Long.reverseBytes(s64())));
                case 'T' -> push(utf8(bytes(s32()))); // BINSTRING: Python 2 str, decoded as torch.load does
                case 'U' -> push(utf8(bytes(u8())));
                case 'X' -> push(utf8(bytes(u32())));
                case 0x8c -> push(utf8(bytes(u8())));
                case 0x8d -> push(utf8(bytes(s64())));
                case 'B' -> push(bytes(u32()));
                case 'C' -> push(bytes(u8()));
                case 0x8e, 0x96 -> push(bytes(s64())); // BINBYTES8, BYTEARRAY8
                case ']' -> push(new PyList());
                case ')' -> push(new Tuple(List.of()));
                case '}' -> push(new Dict());
                case 0x8f -> push(new PySet());
                case 'l' -> { // LIST
                    PyList list = new PyList();
                    list.items.addAll(Arrays.asList(popMark()));
                    push(list);
                }
                case 't' -> push(new Tuple(Arrays.asList(popMark())));
                case 0x85 -> push(new Tuple(Arrays.asList(pop())));
                case 0x86 -> {
                    Object second = pop();
                    push(new Tuple(Arrays.asList(pop(), second)));
                }
                case 0x87 -> {
                    Object third = pop();
                    Object second = pop();
                    push(new Tuple(Arrays.asList(pop(), second, third)));
                }
                case 'd' -> { // DICT
                    Dict dict = new Dict();
                    putAll(dict, popMark());
                    push(dict);
                }
                case 'a' -> { // APPEND
                    Object value = pop();
                    list(peek(), "APPEND").items.add(value);
                }
                case 'e' -> { // APPENDS
                    Object[] values = popMark();
                    list(peek(), "APPENDS").items.addAll(Arrays.asList(values));
                }
                case 's' -> { // SETITEM
                    Object value = pop();
                    Object key = pop();
                    dict(peek(), "SETITEM").items.put(key, value);
                }
                case 'u' -> { // SETITEMS
                    Object[] items = popMark();
                    putAll(dict(peek(), "SETITEMS"), items);
                }
                case 0x90 -> { // ADDITEMS
                    Object[] items = popMark();
                    Object target = peek();
                    if (!(target instanceof PySet set)) {
                        throw fail("ADDITEMS on a " + typeName(target) + ", not a set");
                    }
                    set.items.addAll(Arrays.asList(items));
                }
                case 0x91 -> { // FROZENSET
                    PySet set = new PySet();
                    set.items.addAll(Arrays.asList(popMark()));
                    push(set);
                }
                case 'c' -> { // GLOBAL
                    String module = line();
                    push(global(module, line()));
                }
                case 0x93 -> { // STACK_GLOBAL
                    Object name = pop();
                    Object module = pop();
                    if (!(module instanceof String m) || !(name instanceof String n)) {
                        throw fail("STACK_GLOBAL needs two strings, got " + typeName(module) + " and " + typeName(name));
                    }
                    push(global(m, n));
                }
                case 'i' -> { // INST (protocol 0): refused, but a forbidden name is named as such
                    String module = line();
                    global(module, line());
                    throw fail("the INST opcode (protocol 0) is not supported");
                }
                case 'o' -> throw fail("the OBJ opcode (protocol 1) is not supported");
                case 'R' -> { // REDUCE
                    Object arguments = pop();
                    Object callable = pop();
                    push(call(callable, arguments, "REDUCE"));
                }
                case 0x81 -> { // NEWOBJ
                    Object arguments = pop();
                    push(instantiate(pop(), arguments));
                }
                case 0x92 -> { // NEWOBJ_EX
                    Object keywords = pop();
                    Object arguments = pop();
                    if (!(keywords instanceof Dict dict) || !dict.items.isEmpty()) {
                        throw fail("NEWOBJ_EX with keyword arguments is not supported");
                    }
                    push(instantiate(pop(), arguments));
                }
                case 'b' -> { // BUILD: sets attributes (an OrderedDict's _metadata) that RepZoo does not need
                    pop();
                    peek();
                }
                case 'Q' -> { // BINPERSID
                    Object id = pop();
                    if (persistentLoader == null) {
                        throw fail("a persistent id (a storage reference) where none is expected");
                    }
                    push(persistentLoader.load(id));
                }
                case 'P' -> throw fail("the PERSID opcode (protocol 0) is not supported");
                case 'q' -> memoPut(u8(), peek());
                case 'r' -> memoPut(u32(), peek());
                case 0x94 -> memoPut((long) memo.size() + sparseMemo.size(), peek()); // MEMOIZE
                case 'h' -> push(memoGet(u8()));
                case 'j' -> push(memoGet(u32()));
                case 0x82, 0x83, 0x84 -> throw fail("copyreg extension codes (EXT1/2/4) are not supported");
                case 0x97, 0x98 -> throw fail("out-of-band buffers (protocol 5 NEXT_BUFFER) are not supported");
                default -> throw fail(String.format("unsupported pickle opcode 0x%02x%s", opcode,
                        opcode >= 0x20 && opcode < 0x7f ? " '" + (char) opcode + "' (text protocols 0 and 1 are not "
                                + "supported)" : ""));
            }
        }
    }

    // ---- globals and calls -------------------------------------------------------------------------------------

    private Global global(String module, String name) throws CheckpointException {
        Global global = Global.resolve(module, name);
        if (global == null) {
            if ((module.equals("torch") || module.equals("torch.cuda")) && name.endsWith("Storage")) {
                throw new CheckpointException(file, "unsupported storage type " + printable(module + "." + name)
                        + ": RepZoo reads " + Arrays.toString(DType.values()) + " tensors");
            }
            throw new CheckpointException(file, "forbidden global " + printable(module + "." + name)
                    + " in the pickle: a checkpoint may only hold tensors and plain containers "
                    + "(RepZoo never runs code from a checkpoint)");
        }
        return global;
    }

    private Object instantiate(Object type, Object arguments) throws CheckpointException {
        if (type instanceof Global global && global.kind() == Global.Kind.ORDERED_DICT
                && arguments instanceof Tuple tuple && tuple.items.isEmpty()) {
            return new Dict();
        }
        throw fail("NEWOBJ of a " + typeName(type) + ": only OrderedDict may be instantiated");
    }

    private Object call(Object callable, Object arguments, String how) throws CheckpointException {
        if (!(callable instanceof Global global)) {
            throw fail(how + " calls a " + typeName(callable) + ", not an allowed global");
        }
        if (!(arguments instanceof Tuple tuple)) {
            throw fail(how + " of " + global.qualifiedName() + " with a " + typeName(arguments) + ", not a tuple");
        }
        List<Object> args = tuple.items;
        String name = global.qualifiedName();
        switch (global.kind()) {
            case ORDERED_DICT -> {
                Dict dict = new Dict();
                if (args.size() == 1 && args.get(0) instanceof Dict source) {
                    copying(source.items.size());
                    dict.items.putAll(source.items);
                } else if (args.size() == 1) { // Python 2: OrderedDict([[key, value], ...])
                    List<Object> pairs = sequence(args.get(0), name);
                    copying(pairs.size());
                    for (Object pair : pairs) {
                        List<Object> kv = sequence(pair, name);
                        if (kv.size() != 2) {
                            throw fail(name + " item of length " + kv.size() + ", not a (key, value) pair");
                        }
                        dict.items.put(kv.get(0), kv.get(1));
                    }
                } else if (!args.isEmpty()) {
                    throw fail(name + " called with " + args.size() + " arguments");
                }
                return dict;
            }
            case SET, FROZENSET -> {
                PySet set = new PySet();
                if (args.size() == 1) {
                    List<Object> items = args.get(0) instanceof PySet source ? source.items : sequence(args.get(0), name);
                    copying(items.size());
                    set.items.addAll(items);
                } else if (!args.isEmpty()) {
                    throw fail(name + " called with " + args.size() + " arguments");
                }
                return set;
            }
            case SIZE -> {
                if (args.isEmpty()) {
                    return new Tuple(List.of());
                }
                if (args.size() != 1) {
                    throw fail(name + " called with " + args.size() + " arguments");
                }
                return new Tuple(sequence(args.get(0), name));
            }
            case CODECS_ENCODE -> { // how protocol 2 pickles Python 3 bytes
                if (args.size() != 2 || !(args.get(0) instanceof String text) || !(args.get(1) instanceof String codec)
                        || !(codec.equals("latin1") || codec.equals("latin-1"))) {
                    throw fail(name + " is allowed only as encode(str, 'latin1')");
                }
                copying(text.length());
                byte[] bytes = new byte[text.length()];
                for (int i = 0; i < bytes.length; i++) {
                    char c = text.charAt(i);
                    if (c > 0xff) {
                        throw fail(name + ": a character beyond latin1");
                    }
                    bytes[i] = (byte) c;
                }
                return bytes;
            }
            case REBUILD_TENSOR -> {
                arity(name, args, 4, 4);
                return tensor(args);
            }
            case REBUILD_TENSOR_V2 -> {
                arity(name, args, 6, 7);
                return tensor(args);
            }
            case REBUILD_PARAMETER, REBUILD_PARAMETER_WITH_STATE -> {
                int count = global.kind() == Global.Kind.REBUILD_PARAMETER ? 3 : 4;
                arity(name, args, count, count);
                if (!(args.get(0) instanceof TensorRef tensor)) {
                    throw fail(name + " of a " + typeName(args.get(0)) + ", not a tensor");
                }
                return tensor;
            }
            case REBUILD_FROM_TYPE_V2 -> {
                arity(name, args, 4, 4);
                Object function = args.get(0);
                if (!(args.get(1) instanceof Global type) || type.kind() != Global.Kind.TENSOR_CLASS
                        || !(function instanceof Global inner) || inner.kind() == Global.Kind.REBUILD_FROM_TYPE_V2) {
                    throw fail(name + " is allowed only for torch.Tensor and Parameter");
                }
                Object tensor = call(inner, args.get(2), name);
                if (!(tensor instanceof TensorRef)) {
                    throw fail(name + " of a " + typeName(tensor) + ", not a tensor");
                }
                return tensor;
            }
            default -> throw fail(how + " calls " + name + ", which cannot be called");
        }
    }

    private void arity(String name, List<Object> args, int min, int max) throws CheckpointException {
        if (args.size() < min || args.size() > max) {
            throw fail(name + " called with " + args.size() + " arguments");
        }
    }

    /** {@code _rebuild_tensor(storage, storage_offset, size, stride, ...)}, with every element inside the storage. */
    private TensorRef tensor(List<Object> args) throws CheckpointException {
        if (!(args.get(0) instanceof StorageRef storage)) {
            throw fail("a tensor rebuilt from a " + typeName(args.get(0)) + ", not a storage");
        }
        long offset = count(args.get(1), "tensor storage offset");
        List<Object> sizes = sequence(args.get(2), "tensor size");
        List<Object> strides = sequence(args.get(3), "tensor stride");
        if (sizes.size() != strides.size()) {
            throw fail("tensor with " + sizes.size() + " sizes but " + strides.size() + " strides");
        }
        if (sizes.size() > MAX_DIMS) {
            throw fail("a tensor with " + sizes.size() + " dimensions (at most " + MAX_DIMS + ")");
        }
        copying(2L * sizes.size());
        long[] size = counts(sizes, "tensor size");
        long[] stride = counts(strides, "tensor stride");
        long numel;
        long last = offset - 1;
        try {
            numel = Shapes.numel(size);
            if (numel > 0) {
                last = offset;
                for (int i = 0; i < size.length; i++) {
                    last = Math.addExact(last, Math.multiplyExact(size[i] - 1, stride[i]));
                }
            }
        } catch (ArithmeticException e) {
            throw fail("tensor of size " + Arrays.toString(size) + " and stride " + Arrays.toString(stride)
                    + " overflows");
        }
        if (numel > 0 && last >= storage.numel()) {
            throw fail("tensor of size " + Arrays.toString(size) + ", stride " + Arrays.toString(stride)
                    + " and offset " + offset + " reaches element " + last + " of storage '" + printable(storage.key())
                    + "', which has " + storage.numel());
        }
        return new TensorRef(storage, offset, size, stride, last);
    }

    private long count(Object value, String what) throws CheckpointException {
        if (!(value instanceof Long number) || number < 0) {
            throw fail(what + " is " + (value instanceof Long ? value : "a " + typeName(value))
                    + ", not a non-negative int");
        }
        return number;
    }

    private long[] counts(List<Object> items, String what) throws CheckpointException {
        long[] result = new long[items.size()];
        for (int i = 0; i < result.length; i++) {
            result[i] = count(items.get(i), what);
        }
        return result;
    }

    private List<Object> sequence(Object value, String what) throws CheckpointException {
        if (value instanceof Tuple tuple) {
            return tuple.items;
        }
        if (value instanceof PyList list) {
            return list.items;
        }
        throw fail(what + " is a " + typeName(value) + ", not a tuple or list");
    }

    // ---- stack, marks and memo ---------------------------------------------------------------------------------

    private int base() {
        return markCount == 0 ? 0 : marks[markCount - 1];
    }

    private void push(Object value) throws CheckpointException {
        if (stack.size() >= MAX_STACK) {
            throw fail("more than " + MAX_STACK + " values on the pickle stack");
        }
        if (++pushes > MAX_PUSHES) {
            throw fail("more than " + MAX_PUSHES + " values in one pickle");
        }
        stack.add(value);
    }

    private Object pop() throws CheckpointException {
        if (stack.size() <= base()) {
            throw fail("pickle stack underflow");
        }
        return stack.remove(stack.size() - 1);
    }

    private Object peek() throws CheckpointException {
        if (stack.size() <= base()) {
            throw fail("pickle stack underflow");
        }
        return stack.get(stack.size() - 1);
    }

    private void copying(long elements) throws CheckpointException {
        copied += elements;
        if (copied > in.position() + COPY_SLACK) {
            throw fail("calls copy more elements than the pickle's size allows (a memo reference used as a bomb?)");
        }
    }

    private void pushMark() throws CheckpointException {
        if (markCount >= MAX_STACK) {
            throw fail("more than " + MAX_STACK + " marks");
        }
        if (markCount == marks.length) {
            marks = Arrays.copyOf(marks, marks.length * 2);
        }
        marks[markCount++] = stack.size();
    }

    /** Removes the values above the last mark, and the mark; returns the values. */
    private Object[] popMark() throws CheckpointException {
        if (markCount == 0) {
            throw fail("no MARK to pop to");
        }
        int start = marks[--markCount];
        if (start == stack.size()) {
            return NO_ITEMS;
        }
        List<Object> top = stack.subList(start, stack.size());
        Object[] items = top.toArray();
        top.clear();
        return items;
    }

    private void memoPut(long index, Object value) throws CheckpointException {
        if (index < memo.size()) {
            memo.set((int) index, value);
            return;
        }
        if (memo.size() + sparseMemo.size() >= MAX_MEMO) {
            throw fail("more than " + MAX_MEMO + " memo entries");
        }
        if (index == memo.size()) {
            memo.add(value);
            sparseMemo.remove(index);
            while (!sparseMemo.isEmpty() && sparseMemo.containsKey((long) memo.size())) {
                memo.add(sparseMemo.remove((long) memo.size()));
            }
        } else {
            if (sparseMemo.size() >= MAX_SPARSE_MEMO && !sparseMemo.containsKey(index)) {
                throw fail("more than " + MAX_SPARSE_MEMO + " scattered memo entries");
            }
            sparseMemo.put(index, value);
        }
    }

    private Object memoGet(long index) throws CheckpointException {
        if (index < memo.size()) {
            return memo.get((int) index);
        }
        if (!sparseMemo.containsKey(index)) {
            throw fail("memo entry " + index + " read before it was written");
        }
        return sparseMemo.get(index);
    }

    private PyList list(Object target, String opcode) throws CheckpointException {
        if (target instanceof PyList list) {
            return list;
        }
        throw fail(opcode + " on a " + typeName(target) + ", not a list");
    }

    private Dict dict(Object target, String opcode) throws CheckpointException {
        if (target instanceof Dict dict) {
            return dict;
        }
        throw fail(opcode + " on a " + typeName(target) + ", not a dict");
    }

    private void putAll(Dict dict, Object[] items) throws CheckpointException {
        if (items.length % 2 != 0) {
            throw fail("odd number of values for a dict");
        }
        for (int i = 0; i < items.length; i += 2) {
            dict.items.put(items[i], items[i + 1]);
        }
    }

    // ---- reading -----------------------------------------------------------------------------------------------

    private int u8() throws IOException {
        int b = in.read();
        if (b < 0) {
            throw fail("truncated inside an opcode");
        }
        return b;
    }

    private ByteBuffer fixed(int length) throws IOException {
        if (in.remaining() < length) {
            throw fail("truncated inside an opcode");
        }
        in.readFully(scratch, 0, length);
        return ByteBuffer.wrap(scratch, 0, length).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    }

    private int s32() throws IOException {
        return fixed(4).getInt();
    }

    private long u32() throws IOException {
        return fixed(4).getInt() & 0xffffffffL;
    }

    private long s64() throws IOException {
        return fixed(8).getLong();
    }

    /** {@code length} bytes, checked against what is left before allocating. */
    private byte[] bytes(long length) throws IOException {
        if (length < 0 || length > in.remaining()) {
            throw fail("truncated: a " + length + "-byte string runs past the end");
        }
        if (length > Shapes.MAX_TENSOR_BYTES) {
            throw fail("a " + length + "-byte string is too long");
        }
        byte[] bytes = new byte[(int) length];
        in.readFully(bytes, 0, bytes.length);
        return bytes;
    }

    /** LONG1/LONG4: little-endian two's complement. */
    private Object bigInt(long length) throws IOException {
        byte[] le = bytes(length);
        if (le.length == 0) {
            return 0L;
        }
        byte[] be = new byte[le.length];
        for (int i = 0; i < le.length; i++) {
            be[i] = le[le.length - 1 - i];
        }
        BigInteger value = new BigInteger(be);
        return value.bitLength() < Long.SIZE ? (Object) value.longValue() : value;
    }

    /** A newline-terminated name (GLOBAL, INST). */
    private String line() throws IOException {
        byte[] name = new byte[MAX_NAME_CHARS];
        for (int length = 0; length < name.length; length++) {
            int b = u8();
            if (b == '\n') {
                return utf8(Arrays.copyOf(name, length));
            }
            name[length] = (byte) b;
        }
        throw fail("a global name longer than " + MAX_NAME_CHARS + " bytes");
    }

    private String utf8(byte[] bytes) throws CheckpointException {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw fail("a string that is not valid UTF-8");
        }
    }

    private CheckpointException fail(String reason) {
        return new CheckpointException(file, "corrupt pickle (" + source + ", byte " + opcodeAt + "): " + reason);
    }

    // ---- descriptions ------------------------------------------------------------------------------------------

    /** Python's name for the type of a value. */
    static String typeName(Object value) {
        if (value == null) {
            return "None";
        }
        if (value instanceof String) {
            return "str";
        }
        if (value instanceof byte[]) {
            return "bytes";
        }
        if (value instanceof Long || value instanceof BigInteger) {
            return "int";
        }
        if (value instanceof Double) {
            return "float";
        }
        if (value instanceof Boolean) {
            return "bool";
        }
        if (value instanceof Dict) {
            return "dict";
        }
        if (value instanceof PyList) {
            return "list";
        }
        if (value instanceof Tuple) {
            return "tuple";
        }
        if (value instanceof PySet) {
            return "set";
        }
        if (value instanceof TensorRef) {
            return "tensor";
        }
        if (value instanceof StorageRef) {
            return "storage";
        }
        if (value instanceof Global global) {
            return "global " + global.qualifiedName();
        }
        return value.getClass().getSimpleName();
    }

    /** Text from a file made safe for a message: control characters replaced, at most 80 characters. */
    static String printable(String text) {
        int length = Math.min(text.length(), 80);
        StringBuilder out = new StringBuilder(length + 3);
        for (int i = 0; i < length; i++) {
            char c = text.charAt(i);
            out.append(Character.isISOControl(c) || Character.isSurrogate(c) ? '?' : c);
        }
        return length < text.length() ? out.append("...").toString() : out.toString();
    }
}

package org.repzoo.weights.format;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/** Writes pickles opcode by opcode, and wraps them in torch.save's two layouts, for hand-made test checkpoints. */
final class PickleBuilder {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    PickleBuilder() {
        op(0x80, 2);
    }

    PickleBuilder op(int... bytes) {
        for (int b : bytes) {
            out.write(b);
        }
        return this;
    }

    PickleBuilder raw(byte[] bytes) {
        out.writeBytes(bytes);
        return this;
    }

    PickleBuilder str(String text) {
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        op('X').raw(le(utf8.length, 4));
        return raw(utf8);
    }

    PickleBuilder integer(long value) {
        if (value >= Integer.MIN_VALUE && value <= Integer.MAX_VALUE) {
            return op('J').raw(le(value, 4));
        }
        return op(0x8a, 8).raw(le(value, 8));
    }

    PickleBuilder global(String module, String name) {
        return op('c').raw((module + "\n" + name + "\n").getBytes(StandardCharsets.UTF_8));
    }

    PickleBuilder ints(long... values) {
        op('(');
        for (long v : values) {
            integer(v);
        }
        return op('t');
    }

    /** {@code _rebuild_tensor_v2(('storage', torch.<storageClass>, key, 'cpu', numel), offset, size, stride, ...)}. */
    PickleBuilder tensor(String storageClass, String key, long numel, long offset, long[] size, long[] stride) {
        return tensor(storageClass, key, numel, offset, size, stride, false);
    }

    /** The same for the legacy format, whose persistent id ends with view_metadata (None). */
    PickleBuilder legacyTensor(String storageClass, String key, long numel, long offset, long[] size, long[] stride) {
        return tensor(storageClass, key, numel, offset, size, stride, true);
    }

    private PickleBuilder tensor(String storageClass, String key, long numel, long offset, long[] size, long[] stride,
                                 boolean legacy) {
        global("torch._utils", "_rebuild_tensor_v2").op('(');
        op('(').str("storage").global("torch", storageClass).str(key).str("cpu").integer(numel);
        if (legacy) {
            op('N');
        }
        op('t', 'Q');
        integer(offset).ints(size).ints(stride).op(0x89);
        global("collections", "OrderedDict").op(')', 'R');
        return op('t', 'R');
    }

    byte[] stop() {
        op('.');
        return out.toByteArray();
    }

    static byte[] le(long value, int width) {
        ByteBuffer buffer = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(value);
        byte[] bytes = new byte[width];
        System.arraycopy(buffer.array(), 0, bytes, 0, width);
        return bytes;
    }

    static byte[] floats(float... values) {
        ByteBuffer buffer = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        buffer.asFloatBuffer().put(values);
        return buffer.array();
    }

    /** A zip laid out as torch.save writes it: {@code archive/data.pkl}, {@code archive/data/<key>}. */
    static Path zip(Path file, byte[] pickle, Map<String, byte[]> storages) throws IOException {
        try (OutputStream stream = Files.newOutputStream(file); ZipOutputStream zip = new ZipOutputStream(stream)) {
            stored(zip, "archive/data.pkl", pickle);
            for (Map.Entry<String, byte[]> storage : storages.entrySet()) {
                stored(zip, "archive/data/" + storage.getKey(), storage.getValue());
            }
            stored(zip, "archive/version", "3\n".getBytes(StandardCharsets.US_ASCII));
        }
        return file;
    }

    private static void stored(ZipOutputStream zip, String name, byte[] data) throws IOException {
        ZipEntry entry = new ZipEntry(name);
        entry.setMethod(ZipEntry.STORED);
        entry.setSize(data.length);
        CRC32 crc = new CRC32();
        crc.update(data);
        entry.setCrc(crc.getValue());
        zip.putNextEntry(entry);
        zip.write(data);
        zip.closeEntry();
    }

    /** The legacy layout: magic, protocol, sys_info, the object pickle, the key list, then count + bytes per key. */
    static Path legacy(Path file, byte[] pickle, Map<String, byte[]> storages, int width) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        bytes.writeBytes(new PickleBuilder().op(0x8a, 10).raw(new byte[] {0x6c, (byte) 0xfc, (byte) 0x9c, 0x46,
                (byte) 0xf9, 0x20, 0x6a, (byte) 0xa8, 0x50, 0x19}).stop());
        bytes.writeBytes(new PickleBuilder().integer(1001).stop());
        bytes.writeBytes(new PickleBuilder().op('}').str("little_endian").op(0x88, 's').stop());
        bytes.writeBytes(pickle);
        PickleBuilder keys = new PickleBuilder().op(']', '(');
        storages.keySet().forEach(keys::str);
        bytes.writeBytes(keys.op('e').stop());
        for (byte[] data : storages.values()) {
            bytes.writeBytes(le(data.length / width, 8));
            bytes.writeBytes(data);
        }
        return Files.write(file, bytes.toByteArray());
    }
}

package org.repzoo.weights.format;

/**
 * Element types a checkpoint tensor may have, with their names in each format: NumPy's descr (little-endian),
 * safetensors' dtype and PyTorch's storage class.
 */
public enum DType {
    F16(2, "<f2", "F16", "HalfStorage"),
    BF16(2, null, "BF16", "BFloat16Storage"),
    F32(4, "<f4", "F32", "FloatStorage"),
    F64(8, "<f8", "F64", "DoubleStorage"),
    I8(1, "|i1", "I8", "CharStorage"),
    U8(1, "|u1", "U8", "ByteStorage"),
    I16(2, "<i2", "I16", "ShortStorage"),
    I32(4, "<i4", "I32", "IntStorage"),
    I64(8, "<i8", "I64", "LongStorage"),
    BOOL(1, "|b1", "BOOL", "BoolStorage");

    private final int width;
    private final String numpy;
    private final String safetensors;
    private final String torchStorage;

    DType(int width, String numpy, String safetensors, String torchStorage) {
        this.width = width;
        this.numpy = numpy;
        this.safetensors = safetensors;
        this.torchStorage = torchStorage;
    }

    /** Bytes per element. */
    public int width() {
        return width;
    }

    /** NumPy descr ({@code "<f4"}), or null where NumPy has no such type (bfloat16). */
    public String numpyDescr() {
        return numpy;
    }

    public String safetensorsName() {
        return safetensors;
    }

    /** PyTorch storage class name in module {@code torch} ({@code FloatStorage}). */
    public String torchStorageName() {
        return torchStorage;
    }

    public boolean isFloatingPoint() {
        return this == F16 || this == BF16 || this == F32 || this == F64;
    }
}

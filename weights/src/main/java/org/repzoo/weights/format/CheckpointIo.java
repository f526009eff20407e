package org.repzoo.weights.format;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/** What the NumPy and safetensors readers and writers share: quoting untrusted text, bulk I/O, checked tensor data. */
final class CheckpointIo {

    /** Bytes per positional read: large enough for full speed, small enough for the JDK's temporary direct buffer. */
    static final int CHUNK_BYTES = 1 << 23;

    private static final int MAX_QUOTED = 200;

    private CheckpointIo() {
    }

    /** {@code 'text'} with control and non-ASCII characters escaped, cut to a readable length. */
    static String quote(String text) {
        return "'" + printable(text, true) + "'";
    }

    /** Text from an untrusted file made fit for a message: control and non-ASCII characters escaped, cut short. */
    static String printable(String text, boolean escapeQuotes) {
        StringBuilder out = new StringBuilder(Math.min(text.length(), MAX_QUOTED) + 8);
        for (int i = 0; i < text.length(); i++) {
            if (out.length() >= MAX_QUOTED) {
                out.append("...");
                break;
            }
            char c = text.charAt(i);
            if (c == '\\' || (escapeQuotes && c == '\'')) {
                out.append('\\').append(c);
            } else if (c >= 0x20 && c < 0x7f) {
                out.append(c);
            } else if (c < 0x100) {
                out.append(String.format("\\x%02x", (int) c));
            } else {
                out.append(String.format("\\u%04x", (int) c));
            }
        }
        return out.toString();
    }

    /** Refuses anything but an existing regular file (a FIFO or a device would block a reader or never end). */
    static void requireRegularFile(Path file) throws CheckpointException {
        if (!Files.isRegularFile(file)) {
            throw new CheckpointException(file, Files.exists(file) ? "not a regular file" : "no such file");
        }
    }

    /** Opens a file to read, an I/O failure (permissions, a vanished file) becoming a checkpoint error. */
    static FileChannel openForReading(Path file) throws CheckpointException {
        try {
            return FileChannel.open(file, StandardOpenOption.READ);
        } catch (IOException e) {
            throw new CheckpointException(file, "cannot be opened (" + e + ")", e);
        }
    }

    /** Size in bytes of a tensor's data, or a checkpoint error naming it when it does not fit one Java buffer. */
    static long dataBytes(Path file, String subject, DType dtype, long[] shape) throws CheckpointException {
        long numel;
        try {
            numel = Shapes.numel(shape);
        } catch (ArithmeticException e) {
            throw new CheckpointException(file, subject + " has shape " + Arrays.toString(shape)
                    + ", whose element count overflows");
        }
        if (numel > Shapes.MAX_TENSOR_BYTES / dtype.width()) {
            throw new CheckpointException(file, subject + " has shape " + Arrays.toString(shape) + " of " + dtype
                    + ": more than " + Shapes.MAX_TENSOR_BYTES + " bytes, the most one tensor may have");
        }
        return numel * dtype.width();
    }

    /** A tensor's data for a writer, checked to be exactly what its dtype and shape need. */
    static ByteBuffer tensorData(Path file, String name, StoredTensor tensor) throws IOException {
        long expected = dataBytes(file, "tensor " + quote(name), tensor.dtype(), tensor.shape());
        ByteBuffer data = tensor.read();
        if (data.remaining() != expected) {
            throw new CheckpointException(file, "tensor " + quote(name) + " gave " + data.remaining()
                    + " bytes of data, its dtype and shape need " + expected);
        }
        return data.slice().order(ByteOrder.LITTLE_ENDIAN);
    }

    static void writeFully(WritableByteChannel channel, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
    }

    /**
     * Reads {@code length} bytes at {@code position} into a new heap buffer, in chunks. Returns null when the file
     * ends first.
     */
    static ByteBuffer readAt(FileChannel channel, long position, int length) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        while (buffer.hasRemaining()) {
            int chunk = Math.min(buffer.remaining(), CHUNK_BYTES);
            ByteBuffer window = buffer.slice(buffer.position(), chunk);
            while (window.hasRemaining()) {
                if (channel.read(window, position + buffer.position() + window.position()) < 0) {
                    return null;
                }
            }
            buffer.position(buffer.position() + chunk);
        }
        return buffer.flip();
    }
}

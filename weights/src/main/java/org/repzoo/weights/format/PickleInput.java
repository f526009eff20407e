package org.repzoo.weights.format;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * The bytes a pickle is read from, with the exact number left, so that a length read from the file is checked against
 * what is really there before anything is allocated for it.
 */
abstract sealed class PickleInput permits PickleInput.OfArray, PickleInput.OfChannel {

    /** The next byte (0-255), or -1 at the end. */
    abstract int read() throws IOException;

    /** Fills {@code length} bytes; the caller has checked {@code length <= remaining()}. */
    abstract void readFully(byte[] target, int offset, int length) throws IOException;

    /** Offset of the next byte, from the start of the file or entry. */
    abstract long position();

    abstract long remaining();

    static PickleInput of(byte[] bytes) {
        return new OfArray(bytes);
    }

    /** The region {@code [start, end)} of a file, read through a buffer; {@link #position()} stays exact. */
    static PickleInput of(FileChannel channel, long start, long end) {
        return new OfChannel(channel, start, end);
    }

    static final class OfArray extends PickleInput {
        private final byte[] bytes;
        private int position;

        private OfArray(byte[] bytes) {
            this.bytes = bytes;
        }

        @Override
        int read() {
            return position < bytes.length ? bytes[position++] & 0xff : -1;
        }

        @Override
        void readFully(byte[] target, int offset, int length) {
            System.arraycopy(bytes, position, target, offset, length);
            position += length;
        }

        @Override
        long position() {
            return position;
        }

        @Override
        long remaining() {
            return bytes.length - position;
        }
    }

    static final class OfChannel extends PickleInput {
        private static final int BUFFER_BYTES = 1 << 16;

        private final FileChannel channel;
        private final long end;
        private final ByteBuffer buffer = ByteBuffer.allocate(BUFFER_BYTES);
        /** File offset of the byte after the buffered ones. */
        private long filled;

        private OfChannel(FileChannel channel, long start, long end) {
            this.channel = channel;
            this.filled = start;
            this.end = end;
            buffer.limit(0);
        }

        @Override
        int read() throws IOException {
            if (!buffer.hasRemaining() && !fill()) {
                return -1;
            }
            return buffer.get() & 0xff;
        }

        @Override
        void readFully(byte[] target, int offset, int length) throws IOException {
            int done = 0;
            while (done < length) {
                if (!buffer.hasRemaining() && !fill()) {
                    throw new EOFException("file shrank while being read");
                }
                int n = Math.min(length - done, buffer.remaining());
                buffer.get(target, offset + done, n);
                done += n;
            }
        }

        private boolean fill() throws IOException {
            long left = end - filled;
            if (left <= 0) {
                return false;
            }
            buffer.clear();
            buffer.limit((int) Math.min(BUFFER_BYTES, left));
            while (buffer.hasRemaining()) {
                int n = channel.read(buffer, filled + buffer.position());
                if (n < 0) {
                    break;
                }
            }
            buffer.flip();
            filled += buffer.limit();
            return buffer.hasRemaining();
        }

        @Override
        long position() {
            return filled - buffer.remaining();
        }

        @Override
        long remaining() {
            return end - position();
        }
    }
}

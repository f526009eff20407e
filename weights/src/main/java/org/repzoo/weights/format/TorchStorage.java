package org.repzoo.weights.format;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/** The raw bytes of one torch storage in a checkpoint file, read on demand. */
sealed interface TorchStorage permits TorchStorage.ZipEntryData, TorchStorage.FileRegion {

    /** Bytes per read call: large enough for full disk speed, small enough for the JDK's temporary buffers. */
    int CHUNK_BYTES = 1 << 22;

    /** Reads {@code length} bytes starting {@code offset} bytes into the storage. */
    void read(long offset, byte[] target, int length) throws CheckpointException;

    /** A storage that is an entry of a {@code torch.save} zip ({@code archive/data/0}). */
    record ZipEntryData(Path file, ZipFile zip, ZipEntry entry) implements TorchStorage {

        @Override
        public void read(long offset, byte[] target, int length) throws CheckpointException {
            try (InputStream in = zip.getInputStream(entry)) {
                in.skipNBytes(offset);
                int done = 0;
                while (done < length) {
                    int n = in.read(target, done, Math.min(CHUNK_BYTES, length - done));
                    if (n < 0) {
                        throw new EOFException();
                    }
                    done += n;
                }
            } catch (EOFException e) {
                throw new CheckpointException(file, "truncated: zip entry " + entry.getName() + " ends early", e);
            } catch (ZipException e) {
                throw new CheckpointException(file, "corrupt zip entry " + entry.getName() + " (" + e.getMessage()
                        + "), truncated?", e);
            } catch (IOException | RuntimeException e) { // ZipFile throws IllegalStateException once closed
                throw new CheckpointException(file, "cannot read zip entry " + entry.getName() + ": " + e, e);
            }
        }
    }

    /** A storage at a known place in a file (the legacy format). */
    record FileRegion(Path file, FileChannel channel, long start, long length) implements TorchStorage {

        @Override
        public void read(long offset, byte[] target, int count) throws CheckpointException {
            try {
                int done = 0;
                while (done < count) {
                    ByteBuffer chunk = ByteBuffer.wrap(target, done, Math.min(CHUNK_BYTES, count - done));
                    int n = channel.read(chunk, start + offset + done);
                    if (n < 0) {
                        throw new CheckpointException(file, "truncated: the file ended while reading a storage");
                    }
                    done += n;
                }
            } catch (ClosedChannelException e) {
                throw new CheckpointException(file, "the checkpoint is closed", e);
            } catch (CheckpointException e) {
                throw e;
            } catch (IOException e) {
                throw new CheckpointException(file, "cannot read a storage: " + e.getMessage(), e);
            }
        }
    }
}

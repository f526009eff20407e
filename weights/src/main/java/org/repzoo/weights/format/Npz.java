package org.repzoo.weights.format;

import java.io.BufferedOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.CheckedInputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.repzoo.zoo.core.AtomicFiles;

/**
 * NumPy's {@code .npz}: a zip of {@code .npy} members, stored ({@code numpy.savez}) or deflated
 * ({@code numpy.savez_compressed}). Keys are the member names without {@code .npy}, in the zip's order.
 *
 * <p>Opening checks every member's header (dtype, shape, and that the member holds exactly that much data); a
 * tensor's data is inflated only when it is read, and its CRC-32 checked then. A deflated member claiming more than
 * deflate can expand to is refused, so no read allocates more than the file's size allows. Writing follows
 * {@code numpy.savez}: stored members, in the map's order, into a temporary file renamed into place.
 */
public final class Npz {

    private static final String SUFFIX = ".npy";

    /** Deflate expands at most 1032-fold (a 258-byte match per two bits); the rest is slack for block headers. */
    private static final long MAX_DEFLATE_RATIO = 1032;
    private static final long DEFLATE_SLACK = 1 << 10;

    /** numpy.savez's members carry the zip epoch as their time, which also makes our output reproducible. */
    private static final LocalDateTime MEMBER_TIME = LocalDateTime.of(1980, 1, 1, 0, 0);

    private Npz() {
    }

    public static Checkpoint open(Path file) throws IOException {
        CheckpointIo.requireRegularFile(file);
        long fileSize;
        ZipFile zip;
        try {
            fileSize = Files.size(file);
            zip = new ZipFile(file.toFile());
        } catch (IOException | RuntimeException e) {
            throw wrap(file, "", e);
        }
        try {
            Map<String, StoredTensor> tensors = new LinkedHashMap<>();
            Enumeration<? extends ZipEntry> entries = zip.entries();
            while (entries.hasMoreElements()) {
                Member member = member(zip, entries.nextElement(), file, fileSize);
                if (tensors.put(member.key(), member) != null) {
                    throw new CheckpointException(file, member.subject() + " appears twice in the zip");
                }
            }
            return new Checkpoint(file, CheckpointFormat.NPZ, tensors, null, zip);
        } catch (IOException | RuntimeException e) {
            try {
                zip.close();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw wrap(file, "", e);
        }
    }

    /** Writes the tensors as {@code numpy.savez} does (one stored member per key), atomically. */
    public static void write(Path file, Map<String, ? extends StoredTensor> tensors) throws IOException {
        for (Map.Entry<String, ? extends StoredTensor> entry : tensors.entrySet()) {
            Npy.headerBytes(file, "tensor " + CheckpointIo.quote(entry.getKey()), entry.getValue().dtype(),
                    entry.getValue().shape()); // refuse bfloat16 before writing anything
        }
        AtomicFiles.write(file, temp -> {
            try (OutputStream raw = Files.newOutputStream(temp);
                 ZipOutputStream zip = new ZipOutputStream(new BufferedOutputStream(raw, 1 << 16))) {
                for (Map.Entry<String, ? extends StoredTensor> entry : tensors.entrySet()) {
                    writeMember(zip, file, entry.getKey(), entry.getValue());
                }
            }
        });
    }

    private static void writeMember(ZipOutputStream zip, Path file, String key, StoredTensor tensor)
            throws IOException {
        String subject = "tensor " + CheckpointIo.quote(key);
        byte[] header = Npy.headerBytes(file, subject, tensor.dtype(), tensor.shape());
        ByteBuffer data = CheckpointIo.tensorData(file, key, tensor);
        CRC32 crc = new CRC32();
        crc.update(header);
        crc.update(data.duplicate());
        ZipEntry entry = new ZipEntry(key + SUFFIX);
        entry.setMethod(ZipEntry.STORED);
        entry.setSize(header.length + (long) data.remaining());
        entry.setCompressedSize(entry.getSize());
        entry.setCrc(crc.getValue());
        entry.setTimeLocal(MEMBER_TIME);
        zip.putNextEntry(entry);
        zip.write(header);
        if (data.hasArray()) {
            zip.write(data.array(), data.arrayOffset() + data.position(), data.remaining());
        } else {
            byte[] chunk = new byte[Math.min(data.remaining(), CheckpointIo.CHUNK_BYTES)];
            while (data.hasRemaining()) {
                int length = Math.min(chunk.length, data.remaining());
                data.get(chunk, 0, length);
                zip.write(chunk, 0, length);
            }
        }
        zip.closeEntry();
    }

    private static Member member(ZipFile zip, ZipEntry entry, Path file, long fileSize) throws IOException {
        String name = entry.getName();
        String subject = "member " + CheckpointIo.quote(name);
        if (!name.endsWith(SUFFIX)) {
            throw new CheckpointException(file, subject + " is not a .npy array: not an .npz written by NumPy");
        }
        long size = entry.getSize();
        long compressed = entry.getCompressedSize();
        if (size < 0 || compressed < 0 || compressed > fileSize) {
            throw new CheckpointException(file, "corrupt zip: " + subject + " has impossible sizes (" + compressed
                    + " compressed, file of " + fileSize + " bytes)");
        }
        if (entry.getMethod() == ZipEntry.STORED && size != compressed) {
            throw new CheckpointException(file, "corrupt zip: stored " + subject + " has " + compressed
                    + " bytes but claims " + size);
        }
        if (entry.getMethod() == ZipEntry.DEFLATED && size > compressed * MAX_DEFLATE_RATIO + DEFLATE_SLACK) {
            throw new CheckpointException(file, "corrupt zip: " + subject + " claims " + size + " bytes from "
                    + compressed + " deflated ones, more than deflate can expand to");
        }
        if (entry.getMethod() != ZipEntry.STORED && entry.getMethod() != ZipEntry.DEFLATED) {
            throw new CheckpointException(file, subject + " uses zip compression method " + entry.getMethod()
                    + ": only stored and deflated members are read");
        }
        Npy.Header header;
        try (InputStream in = stream(zip, entry, file, subject)) {
            header = Npy.readHeader(in, size, file, subject);
        } catch (IOException | RuntimeException e) {
            throw wrap(file, subject + ": ", e);
        }
        Npy.requireSize(file, subject, header, size, "the member");
        return new Member(zip, entry, file, name.substring(0, name.length() - SUFFIX.length()), subject, header);
    }

    private static InputStream stream(ZipFile zip, ZipEntry entry, Path file, String subject) throws IOException {
        InputStream in = zip.getInputStream(entry);
        if (in == null) {
            throw new CheckpointException(file, "corrupt zip: " + subject + " cannot be found by its name");
        }
        return in;
    }

    /** A java.util.zip failure as a checkpoint error; the zip library may also throw unchecked exceptions. */
    private static CheckpointException wrap(Path file, String context, Throwable e) {
        if (e instanceof CheckpointException checkpoint) {
            return checkpoint;
        }
        String detail = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        if (e instanceof EOFException) {
            return new CheckpointException(file, context + "truncated (" + detail + ")", e);
        }
        if (e instanceof ZipException || e instanceof RuntimeException) {
            return new CheckpointException(file, context + "corrupt zip (" + detail + "), truncated?", e);
        }
        return new CheckpointException(file, context + "cannot be read (" + detail + ")", e);
    }

    /** One {@code .npy} member, its header checked at open; read() inflates it and checks its CRC. */
    private record Member(ZipFile zip, ZipEntry entry, Path file, String key, String subject, Npy.Header header)
            implements StoredTensor {

        @Override
        public DType dtype() {
            return header.dtype();
        }

        @Override
        public long[] shape() {
            return header.shape().clone();
        }

        @Override
        public ByteBuffer read() throws IOException {
            try (CheckedInputStream in = new CheckedInputStream(stream(zip, entry, file, subject), new CRC32())) {
                if (in.readNBytes((int) header.headerBytes()).length < header.headerBytes()) {
                    throw new CheckpointException(file, subject + " is truncated");
                }
                byte[] data = new byte[(int) header.dataBytes()];
                if (in.readNBytes(data, 0, data.length) < data.length) {
                    throw new CheckpointException(file, subject + " is truncated: its data ends early");
                }
                if (in.read() >= 0) {
                    throw new CheckpointException(file, subject + " holds more data than its header says");
                }
                if (entry.getCrc() >= 0 && in.getChecksum().getValue() != entry.getCrc()) {
                    throw new CheckpointException(file, subject + " is corrupt: its CRC-32 does not match");
                }
                return Npy.toCOrder(data, header);
            } catch (IllegalStateException e) {
                throw new CheckpointException(file, subject + " read after the checkpoint was closed", e);
            } catch (IOException | RuntimeException e) {
                throw wrap(file, subject + ": ", e);
            }
        }
    }
}

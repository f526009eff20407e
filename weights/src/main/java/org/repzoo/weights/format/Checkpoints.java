package org.repzoo.weights.format;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/** Opens a checkpoint of any supported format, recognised by its content (never by its extension alone). */
public final class Checkpoints {

    private static final int PICKLE_PROTO = 0x80;
    private static final int TAR_MAGIC_AT = 257;

    private Checkpoints() {
    }

    public static Checkpoint open(Path file) throws IOException {
        return switch (detect(file)) {
            case TORCH_ZIP -> TorchCheckpoints.openZip(file);
            case TORCH_LEGACY -> TorchCheckpoints.openLegacy(file);
            case NPZ -> Npz.open(file);
            case SAFETENSORS -> Safetensors.open(file);
        };
    }

    /** The format of a file, from its first bytes (and, for a zip, its entry names). */
    public static CheckpointFormat detect(Path file) throws IOException {
        if (Files.isDirectory(file)) {
            throw new CheckpointException(file, "is a directory, not a checkpoint file");
        }
        if (!Files.isRegularFile(file)) {
            throw new CheckpointException(file, "no such file");
        }
        byte[] head = new byte[TAR_MAGIC_AT + 5];
        int n;
        try (InputStream in = Files.newInputStream(file)) {
            n = in.readNBytes(head, 0, head.length);
        }
        if (n >= 4 && head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4) {
            return zipFormat(file);
        }
        // Before the pickle test: a safetensors header length may start with the byte 0x80 (PROTO)
        if (n >= 9 && head[8] == '{' && headerLength(head) >= 2 && headerLength(head) <= Files.size(file) - 8) {
            return CheckpointFormat.SAFETENSORS;
        }
        if (n >= 2 && (head[0] & 0xff) == PICKLE_PROTO) {
            return CheckpointFormat.TORCH_LEGACY;
        }
        if (n == head.length && new String(head, TAR_MAGIC_AT, 5, StandardCharsets.ISO_8859_1).equals("ustar")) {
            return CheckpointFormat.TORCH_LEGACY; // early PyTorch wrote a tar: openLegacy says so
        }
        throw new CheckpointException(file, n == 0 ? "empty file"
                : "not a checkpoint: expected a PyTorch .pth/.pt, a NumPy .npz or a .safetensors file");
    }

    /** The little-endian u64 at the start of a safetensors file (negative when it does not fit a long). */
    private static long headerLength(byte[] head) {
        return java.nio.ByteBuffer.wrap(head, 0, 8).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
    }

    private static CheckpointFormat zipFormat(Path file) throws IOException {
        try (ZipFile zip = new ZipFile(file.toFile())) {
            boolean npy = false;
            for (ZipEntry entry : java.util.Collections.list(zip.entries())) {
                String name = entry.getName();
                if (name.endsWith("/data.pkl") || name.equals("data.pkl")) {
                    return CheckpointFormat.TORCH_ZIP;
                }
                npy |= name.endsWith(".npy");
            }
            if (npy) {
                return CheckpointFormat.NPZ;
            }
            throw new CheckpointException(file, "a zip file that is neither a PyTorch checkpoint (no data.pkl) nor a "
                    + "NumPy .npz (no .npy members)" + (zip.getEntry("coefficients.bin") != null
                    ? "; it is a DL4J model zip: give it to predict/export, not import" : ""));
        } catch (CheckpointException e) {
            throw e;
        } catch (IOException | RuntimeException e) { // java.util.zip also throws EOFException, IllegalArgumentException
            throw new CheckpointException(file, "corrupt zip (" + e.getMessage() + "), truncated?", e);
        }
    }
}

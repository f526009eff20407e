package org.repzoo.weights.format;

/** The checkpoint formats RepZoo reads (and, for NPZ and SAFETENSORS, writes). */
public enum CheckpointFormat {
    /** {@code torch.save} since PyTorch 1.6: a zip of {@code data.pkl} and one entry per storage. */
    TORCH_ZIP,
    /** {@code torch.save} before 1.6 (or {@code _use_new_zipfile_serialization=False}): pickles then raw storages. */
    TORCH_LEGACY,
    /** {@code numpy.savez}: a zip of {@code .npy} members. */
    NPZ,
    /** Hugging Face safetensors: 8-byte header length, JSON header, raw little-endian data. */
    SAFETENSORS
}

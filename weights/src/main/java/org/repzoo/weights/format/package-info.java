/**
 * Checkpoint files in pure Java: PyTorch {@code .pth} (zip and legacy, through a restricted unpickler), NumPy
 * {@code .npz} and {@code .safetensors}. No ND4J here, so the parsers can be fuzzed fast and a bad file can never reach
 * native code; every failure is a {@link org.repzoo.weights.format.CheckpointException} naming the file.
 */
package org.repzoo.weights.format;

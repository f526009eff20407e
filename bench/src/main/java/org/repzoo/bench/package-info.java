/**
 * Benchmarks outside the library: JMH benchmarks of RepZoo's hot kernels (grouped convolution, BatchNorm folding, the
 * evaluation pipeline's resize and crop), and {@link org.repzoo.bench.OrtBench}, ONNX Runtime's Java API on the same
 * models, for {@code tools/bench/side_by_side.py}.
 */
package org.repzoo.bench;

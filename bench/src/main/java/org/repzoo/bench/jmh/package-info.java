/**
 * JMH benchmarks of RepZoo's hot kernels (grouped convolution, BatchNorm folding, the evaluation pipeline's resize and
 * crop), run by {@code tools/bench/jmh.sh}. Whole-model timing is {@code repzoo bench} ({@code tools/bench/side_by_side.py}
 * puts DL4J, ONNX Runtime and PyTorch side by side).
 */
package org.repzoo.bench.jmh;

/**
 * PyTorch weights in and out of the zoo's graphs: a checkpoint's state_dict imported into a registered architecture
 * ({@link org.repzoo.weights.CheckpointImport}, key schemes detected and renamed), a graph's weights exported in
 * PyTorch's names ({@link org.repzoo.weights.CheckpointExport}), and the conversions between stored tensors and
 * ND4J arrays. The file formats themselves are in {@link org.repzoo.weights.format}.
 */
package org.repzoo.weights;

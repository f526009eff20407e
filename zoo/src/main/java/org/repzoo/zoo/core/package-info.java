/**
 * Zoo core: the graph-building helper ({@link org.repzoo.zoo.core.GraphScope}), the model registry, the DL4J↔PyTorch
 * weight-key table, oneDNN enabling, and the custom layers (grouped convolution), vertices and losses the
 * architectures need.
 */
package org.repzoo.zoo.core;

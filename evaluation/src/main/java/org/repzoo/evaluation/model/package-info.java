/**
 * The model interface the evaluation engine runs ({@link org.repzoo.evaluation.model.ImageModel}), and DL4J's graph
 * behind it ({@link org.repzoo.evaluation.model.GraphModel}); ONNX Runtime's is in the deploy module.
 */
package org.repzoo.evaluation.model;

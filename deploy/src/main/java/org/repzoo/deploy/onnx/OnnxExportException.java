package org.repzoo.deploy.onnx;

/** A graph that cannot be written as ONNX: the message names the vertex and what about it has no mapping. */
public final class OnnxExportException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    public OnnxExportException(String message) {
        super(message);
    }
}

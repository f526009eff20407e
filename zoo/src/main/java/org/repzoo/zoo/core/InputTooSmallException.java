package org.repzoo.zoo.core;

/** The requested input size makes some vertex's output empty; the message names the vertex. */
public final class InputTooSmallException extends IllegalArgumentException {
    public InputTooSmallException(String message) {
        super(message);
    }
}

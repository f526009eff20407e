package org.repzoo.reparam;

/** A conversion with nothing to do: no RepVGG block to re-parameterise, and no conv-BN pair to fold where asked. */
public final class NothingToConvertException extends IllegalArgumentException {
    private final boolean foldingWouldHelp;

    NothingToConvertException(String message, boolean foldingWouldHelp) {
        super(message);
        this.foldingWouldHelp = foldingWouldHelp;
    }

    /** True when the model has no RepVGG block but folding its conv-BN pairs was not asked for. */
    public boolean foldingWouldHelp() {
        return foldingWouldHelp;
    }
}

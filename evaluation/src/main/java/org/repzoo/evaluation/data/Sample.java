package org.repzoo.evaluation.data;

import org.repzoo.evaluation.image.ImageFileException;
import org.repzoo.evaluation.image.RgbImage;

/**
 * One image to evaluate: where it is, its true class, and how to decode it (on a worker thread).
 *
 * @param path  the file (or {@code file#index} for an image inside an IDX file), as reported
 * @param label the true class index
 * @param image decodes the image as RGB
 */
public record Sample(String path, int label, Source image) {

    /** Decodes one image; may be called from any thread. */
    @FunctionalInterface
    public interface Source {
        RgbImage read() throws ImageFileException;
    }
}

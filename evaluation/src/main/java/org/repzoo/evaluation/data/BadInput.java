package org.repzoo.evaluation.data;

/**
 * A file (or entry) that cannot be evaluated, and why: reported with its path so it can be found and fixed.
 *
 * @param path    the file, folder or {@code file:line} concerned
 * @param problem what is wrong with it
 */
public record BadInput(String path, String problem) {

    @Override
    public String toString() {
        return path + ": " + problem;
    }
}

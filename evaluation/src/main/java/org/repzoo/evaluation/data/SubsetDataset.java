package org.repzoo.evaluation.data;

import java.util.List;

/**
 * Some of a dataset's images as a dataset of their own (a Spark partition, the first N images of a quick training
 * run): the whole dataset's kind, location and classes.
 *
 * @param whole    the dataset the samples come from
 * @param samples  the images kept, in order
 * @param problems the listing problems to report with them (the whole's, or none where another part reports them)
 */
public record SubsetDataset(Dataset whole, List<Sample> samples, List<BadInput> problems) implements Dataset {

    public SubsetDataset {
        samples = List.copyOf(samples);
        problems = List.copyOf(problems);
    }

    @Override
    public String kind() {
        return whole.kind();
    }

    @Override
    public String location() {
        return whole.location();
    }

    @Override
    public List<String> classNames() {
        return whole.classNames();
    }
}

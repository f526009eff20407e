package org.repzoo.spark;

import java.util.List;
import org.repzoo.evaluation.data.BadInput;
import org.repzoo.evaluation.data.Dataset;
import org.repzoo.evaluation.data.Sample;

/**
 * The images of one Spark partition as a dataset of their own: the whole dataset's classes, kind and location, its
 * samples at the given indices. Listing problems stay with the driver, which reports them once.
 */
final class PartitionDataset implements Dataset {

    private final Dataset whole;
    private final List<Sample> samples;

    PartitionDataset(Dataset whole, List<Integer> indices) {
        this.whole = whole;
        List<Sample> all = whole.samples();
        this.samples = indices.stream().map(all::get).toList();
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

    @Override
    public List<Sample> samples() {
        return samples;
    }

    @Override
    public List<BadInput> problems() {
        return List.of();
    }
}

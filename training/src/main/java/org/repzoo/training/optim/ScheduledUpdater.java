package org.repzoo.training.optim;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.GradientUpdater;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * What this package's optimizers share, so that each one holds only its hyper-parameters, its state layout and its
 * update rule. DL4J's {@link IUpdater} asks every optimizer for the same plumbing: a learning rate or a schedule,
 * state bound to slices of the updater's view array (or to named arrays when resuming), a clone, and value equality
 * (DL4J joins layers whose updaters are equal into one updater block, so equality must be by value, never identity).
 *
 * <p>The learning rate and its schedule are fields here under the names DL4J's own updaters use; DL4J writes updaters
 * into configuration JSON and model zips with Jackson by field and {@code @class}, so a subclass's JSON is its class
 * name, these two fields and its own {@code @JsonProperty} fields. This class therefore has no other instance fields.
 */
public abstract class ScheduledUpdater implements IUpdater {

    @JsonProperty
    private double learningRate;
    @JsonProperty
    private ISchedule learningRateSchedule;

    /** A fixed {@code learningRate}, or NaN with a schedule ({@code learningRateSchedule} then wins). */
    ScheduledUpdater(double learningRate, ISchedule learningRateSchedule) {
        this.learningRate = learningRate;
        this.learningRateSchedule = learningRateSchedule;
    }

    /**
     * One named state array per parameter: its key in the updater state map and the value it starts at.
     *
     * @param key          the array's name in {@link GradientUpdater#getState()} and in resumed state maps
     * @param initialValue what every element starts at (TensorFlow's RMSProp starts its mean square at 1, not 0)
     */
    record Slot(String key, double initialValue) {
    }

    /** The state arrays, in the order they lie in the view array and are passed to {@link #update}. */
    abstract List<Slot> stateLayout();

    /** The optimizer's own hyper-parameters, named, in the order {@link #toString()} shows them. */
    abstract List<Map.Entry<String, Double>> hyperParameters();

    /**
     * One step: turns {@code gradient}, in place, into what DL4J subtracts from the parameters, updating
     * {@code state} (one array per {@link #stateLayout()} slot, in that order, each shaped as a flat vector).
     */
    abstract void update(List<INDArray> state, INDArray gradient, double learningRate);

    /** The learning rate's schedule, or null when the rate is fixed. */
    public ISchedule learningRateSchedule() {
        return learningRateSchedule;
    }

    @Override
    public final long stateSize(long numParams) {
        return stateLayout().size() * numParams;
    }

    @Override
    public final GradientUpdater instantiate(INDArray viewArray, boolean initializeViewArray) {
        INDArray flat = viewArray.reshape(viewArray.length());
        int slots = stateLayout().size();
        long perSlot = flat.length() / slots;
        List<INDArray> state = new ArrayList<>(slots);
        for (int slot = 0; slot < slots; slot++) {
            state.add(flat.get(NDArrayIndex.interval(slot * perSlot, (slot + 1) * perSlot)));
        }
        return bind(state, initializeViewArray);
    }

    @Override
    public final GradientUpdater instantiate(Map<String, INDArray> updaterState, boolean initializeStateArrays) {
        List<INDArray> state = new ArrayList<>();
        for (Slot slot : stateLayout()) {
            state.add(StateMaps.require(updaterState, slot.key()));
        }
        return bind(state, initializeStateArrays);
    }

    private GradientUpdater bind(List<INDArray> state, boolean initialize) {
        List<Slot> layout = stateLayout();
        if (initialize) {
            for (int slot = 0; slot < layout.size(); slot++) {
                state.get(slot).assign(layout.get(slot).initialValue());
            }
        }
        return new Updater(this, layout, state);
    }

    /** A copy whose schedule is a copy too (schedules may hold state); the hyper-parameters are immutable. */
    @Override
    public ScheduledUpdater clone() {
        try {
            ScheduledUpdater copy = (ScheduledUpdater) super.clone();
            copy.learningRateSchedule = learningRateSchedule == null ? null : learningRateSchedule.clone();
            return copy;
        } catch (CloneNotSupportedException e) {
            throw new AssertionError("IUpdater is Cloneable", e);
        }
    }

    @Override
    public final double getLearningRate(int iteration, int epoch) {
        return learningRateSchedule != null ? learningRateSchedule.valueAt(iteration, epoch) : learningRate;
    }

    @Override
    public final boolean hasLearningRate() {
        return true;
    }

    @Override
    public final void setLrAndSchedule(double lr, ISchedule lrSchedule) {
        this.learningRate = lr;
        this.learningRateSchedule = lrSchedule;
    }

    /** By value: DL4J joins layers whose updaters are equal into one block. */
    @Override
    public final boolean equals(Object o) {
        return o instanceof ScheduledUpdater other && other.getClass() == getClass()
                && Double.compare(other.learningRate, learningRate) == 0
                && Objects.equals(other.learningRateSchedule, learningRateSchedule)
                && other.hyperParameters().equals(hyperParameters());
    }

    /** {@code Objects.hash(learningRate, learningRateSchedule, hyper-parameters...)}, as before this class existed. */
    @Override
    public final int hashCode() {
        List<Map.Entry<String, Double>> hyperParameters = hyperParameters();
        Object[] values = new Object[2 + hyperParameters.size()];
        values[0] = learningRate;
        values[1] = learningRateSchedule;
        for (int i = 0; i < hyperParameters.size(); i++) {
            values[2 + i] = hyperParameters.get(i).getValue();
        }
        return Arrays.hashCode(values);
    }

    @Override
    public final String toString() {
        StringBuilder text = new StringBuilder(getClass().getSimpleName()).append("(lr=")
                .append(learningRateSchedule != null ? learningRateSchedule : learningRate);
        for (Map.Entry<String, Double> hyperParameter : hyperParameters()) {
            text.append(", ").append(hyperParameter.getKey()).append('=').append(hyperParameter.getValue());
        }
        return text.append(')').toString();
    }

    /** The state, bound once at instantiation: DL4J resumes by instantiating again, never by setting state. */
    private static final class Updater implements GradientUpdater<ScheduledUpdater> {

        private final ScheduledUpdater config;
        private final List<INDArray> state;
        private final Map<String, INDArray> named;

        Updater(ScheduledUpdater config, List<Slot> layout, List<INDArray> state) {
            this.config = config;
            this.state = List.copyOf(state);
            Map<String, INDArray> byKey = new LinkedHashMap<>();
            for (int slot = 0; slot < layout.size(); slot++) {
                byKey.put(layout.get(slot).key(), state.get(slot));
            }
            this.named = Map.copyOf(byKey);
        }

        @Override
        public ScheduledUpdater getConfig() {
            return config;
        }

        @Override
        public void setState(Map<String, INDArray> stateMap, boolean initialize) {
            throw new UnsupportedOperationException("state is bound at instantiation");
        }

        @Override
        public Map<String, INDArray> getState() {
            return named;
        }

        @Override
        public void setStateViewArray(INDArray viewArray, long[] gradientShape, char gradientOrder,
                                      boolean initialize) {
            throw new UnsupportedOperationException("state is bound at instantiation");
        }

        @Override
        public void applyUpdater(INDArray gradient, int iteration, int epoch) {
            config.update(state, gradient, config.getLearningRate(iteration, epoch));
        }
    }
}

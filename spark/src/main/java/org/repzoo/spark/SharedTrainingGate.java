package org.repzoo.spark;

import java.util.Iterator;
import java.util.concurrent.Semaphore;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.util.LongAccumulator;
import org.apache.spark.util.TaskCompletionListener;
import org.deeplearning4j.spark.api.Repartitioner;

/**
 * Closes a race in DL4J's gradient sharing ({@code SharedTrainingMaster}, dl4j-spark-parameterserver 1.0.0-M2) that
 * hangs a Spark job forever, and keeps the caller's partitions.
 *
 * <p>The race. Every task of a gradient-sharing job runs {@code SharedFlatMapMultiDataSet.call}: it attaches its
 * partition's iterator to the JVM-wide {@code SharedTrainingWrapper} and calls {@code run}. The first task to get
 * there ({@code isFirst.compareAndSet(false, true)}) becomes the JVM's master and trains every iterator attached so
 * far; any other task waits in {@code BlockingObserver.waitTillDone} until the master has drained its iterator. When
 * the master runs out of iterators it leaves its loop, resets the iterator list and only then sets {@code isFirst}
 * back to false. A task that attaches in between (after the master's last {@code hasNext}, before {@code isFirst}
 * is false) becomes a waiter on an iterator that no master will ever read: it sleeps in {@code waitTillDone}
 * forever, the stage never finishes, and the driver waits in {@code DAGScheduler.runJob}. Tiny partitions make the
 * window frequent: DL4J's default repartitioner gives each minibatch a partition of its own, and a master that trains
 * one small minibatch is done within milliseconds of the next task's start. Seen in {@code SparkTrainingTest}
 * (local[2]): task 8 of a stage attached at 58.434, the master of task 5 reported "Master thread done" at 58.435, and
 * task 8 never finished. {@code SharedTrainingRaceTest} forces that interleaving and shows DL4J's own path hang and
 * this one finish.
 *
 * <p>The fix. This repartitioner is the last step DL4J applies to the data before it maps each partition through
 * {@code SharedFlatMapMultiDataSet}, so it can wrap each partition: a task takes a JVM-wide permit before DL4J sees its
 * partition and returns it when the task ends (a task-completion listener, which Spark runs once the task thread is
 * done, killed tasks included). One task per executor JVM is then inside {@code SharedTrainingWrapper} at a time;
 * each one finds no master running, becomes the master and trains its own partition. Nothing is lost by that: with
 * {@code workersPerNode(1)} DL4J trains on one thread per JVM anyway, and the waiting tasks only held their Spark
 * slots idle before as they do now. The wrapper also counts each minibatch into {@code progress}, which
 * {@link SparkWatchdog} reads to tell a slow job from a stalled one.
 *
 * <p>It keeps the partitions as given (DL4J's {@code DefaultRepartitioner} would shuffle the data into one partition
 * per minibatch), so each task trains a run of minibatches and DL4J builds its worker model once per task rather than
 * once per minibatch.
 *
 * <p>When to drop it: when a DL4J release makes the master's "no more iterators" check and its {@code isFirst} reset
 * one atomic step (or hands late iterators to the next master), {@code SharedTrainingRaceTest}'s test of DL4J's own
 * path stops hanging and fails; then this class can go.
 */
final class SharedTrainingGate implements Repartitioner {

    private static final long serialVersionUID = 1L;

    /** One task per executor JVM inside DL4J's SharedTrainingWrapper. */
    private static final Semaphore FEEDING = new Semaphore(1, true);

    private final LongAccumulator progress;

    /** @param progress counts minibatches as DL4J takes them (may be null: nothing counted) */
    SharedTrainingGate(LongAccumulator progress) {
        this.progress = progress;
    }

    @Override
    public <T> JavaRDD<T> repartition(JavaRDD<T> rdd, int minObjectsPerPartition, int numExecutors) {
        LongAccumulator counter = progress;
        return rdd.mapPartitions(partition -> enter(partition, counter), true);
    }

    /**
     * {@code partition}, once this task holds the JVM's permit; the permit goes back when the task ends. Outside a
     * Spark task (no task context) nothing is held.
     */
    static <T> Iterator<T> enter(Iterator<T> partition, LongAccumulator progress) throws InterruptedException {
        TaskContext task = TaskContext.get();
        if (task != null) {
            // Interruptible: a cancelled job (SparkWatchdog) interrupts the tasks still waiting here.
            FEEDING.acquire();
            task.addTaskCompletionListener((TaskCompletionListener) done -> FEEDING.release());
        }
        return counted(partition, progress);
    }

    /** {@code items}, each adding one to {@code progress} as it is taken (null: nothing counted). */
    static <T> Iterator<T> counted(Iterator<T> items, LongAccumulator progress) {
        return progress == null ? items : new Counted<>(items, progress);
    }

    /** Adds one to the accumulator for each element taken. */
    private record Counted<T>(Iterator<T> items, LongAccumulator counter) implements Iterator<T> {

        @Override
        public boolean hasNext() {
            return items.hasNext();
        }

        @Override
        public T next() {
            T item = items.next();
            counter.add(1);
            return item;
        }
    }

    @Override
    public String toString() {
        return "SharedTrainingGate (partitions kept, one feeding task per JVM)";
    }
}

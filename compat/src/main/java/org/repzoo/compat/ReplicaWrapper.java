package org.repzoo.compat;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.locks.LockSupport;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.parallelism.ParallelWrapper;
import org.deeplearning4j.parallelism.factory.DefaultTrainerContext;
import org.deeplearning4j.parallelism.trainer.DefaultTrainer;
import org.deeplearning4j.parallelism.trainer.Trainer;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * DL4J's ParallelWrapper in its averaging mode, set up as synchronous data parallelism: after every round (one batch
 * per worker) the weights and the updater state of all workers are averaged, which for SGD with momentum equals one
 * step on the whole batch. Worker 0 trains the caller's graph itself, so it holds the averaged state between rounds.
 *
 * <p>Built here rather than by {@code ParallelWrapper.Builder} because M2.1's builder replaces any trainer factory
 * with its default in averaging mode, and the workers need two things DL4J's do not do, so that a run does not depend
 * on thread timing and a resumed run repeats an uninterrupted one bit for bit:
 * <ul>
 *   <li>worker 0 waits for the others to have copied the graph before its first batch (DL4J's starts at once, and a
 *       worker still copying reads weights worker 0 is changing: measured, a different first step);</li>
 *   <li>each worker seeds its thread's random generator from the run's seed, the iteration and its index before every
 *       batch (dropout masks).</li>
 * </ul>
 */
public final class ReplicaWrapper extends ParallelWrapper {

    public ReplicaWrapper(ComputationGraph graph, int replicas, long seed) {
        super(graph, replicas, 0);
        averagingFrequency = 1;
        averageUpdaters = true;
        legacyAveraging = true;
        isMQ = Nd4j.getAffinityManager().getNumberOfDevices() > 1;
        workspaceMode = WorkspaceMode.ENABLED;
        trainerContext = new SeededContext(seed, new CountDownLatch(replicas));
        init();
    }

    /** Creates {@link SeededTrainer}s sharing one start latch; otherwise DL4J's default context. */
    private static final class SeededContext extends DefaultTrainerContext {
        private final long seed;
        private final CountDownLatch copied;

        SeededContext(long seed, CountDownLatch copied) {
            this.seed = seed;
            this.copied = copied;
        }

        @Override
        public Trainer create(String uuid, int threadId, Model model, int rootDevice, boolean useMDS,
                              ParallelWrapper wrapper, WorkspaceMode mode, int averagingFrequency) {
            return new SeededTrainer(seed, copied, uuid, threadId, model, useMDS, wrapper, mode, averagingFrequency);
        }
    }

    /** DL4J's worker, started in step with the others and seeded per iteration and worker before each batch. */
    private static final class SeededTrainer extends DefaultTrainer {
        private static final long WAIT_NANOS = 1_000_000;
        private final long seed;
        private final CountDownLatch copied;

        SeededTrainer(long seed, CountDownLatch copied, String uuid, int threadId, Model model, boolean useMDS,
                      ParallelWrapper wrapper, WorkspaceMode mode, int averagingFrequency) {
            this.seed = seed;
            this.copied = copied;
            this.originalModel = model;
            this.replicatedModel = model;
            this.threadId = threadId;
            this.parallelWrapper = wrapper;
            this.workspaceMode = mode;
            this.useMDS = useMDS;
            this.uuid = uuid + "_thread_" + threadId;
            this.averagingFrequency = averagingFrequency;
            setName("repzoo replica " + threadId);
            setDaemon(true);
        }

        /** Runs on the worker's thread once its copy of the graph is made. */
        @Override
        protected void postInit() {
            super.postInit();
            TrainingHelpers.install((ComputationGraph) replicatedModel);
            copied.countDown();
        }

        /**
         * The wrapper's thread waits here for the round. DL4J's polls every microsecond, which on a two-core machine
         * keeps a core busy while the workers need both; a millisecond is short against a round of training.
         */
        @Override
        public void waitTillRunning() {
            while (running.get() != 0) {
                if (thrownException != null) {
                    throw new RuntimeException(thrownException);
                }
                LockSupport.parkNanos(WAIT_NANOS);
            }
        }

        @Override
        protected void fit(MultiDataSet dataSet) {
            try {
                copied.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while the replicas were made", e);
            }
            long iteration = ((ComputationGraph) replicatedModel).getIterationCount();
            Nd4j.getRandom().setSeed(seed * 1_000_003L + iteration * 1_009L + threadId);
            super.fit(dataSet);
        }
    }
}

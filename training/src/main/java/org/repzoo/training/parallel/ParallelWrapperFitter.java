package org.repzoo.training.parallel;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.repzoo.compat.ReplicaWrapper;

/**
 * Splits each batch into one shard per replica and trains the shards with DL4J's ParallelWrapper, one round per batch.
 * A session (the wrapper, its worker threads and their graph copies) lives from the first {@link #fit} to
 * {@link #close}: the training loop closes it at the end of each epoch, before validation, so a learning rate the loop
 * sets between epochs reaches every copy, made afresh from the graph at the next session's start.
 */
final class ParallelWrapperFitter implements BatchFitter {
    private static final long END_TIMEOUT_SECONDS = 60;

    private final ComputationGraph graph;
    private final int replicas;
    private final long seed;
    private RoundFeed feed;
    private CompletableFuture<Void> session;
    private ReplicaWrapper wrapper;
    private boolean failed;

    ParallelWrapperFitter(ComputationGraph graph, int replicas, long seed) {
        this.graph = graph;
        this.replicas = replicas;
        this.seed = seed;
    }

    @Override
    public void fit(MultiDataSet batch) {
        MultiDataSet[] shards = Shards.split(batch, replicas);
        if (session == null) {
            feed = new RoundFeed();
            wrapper = new ReplicaWrapper(graph, replicas, seed);
            ReplicaWrapper started = wrapper;
            RoundFeed startedFeed = feed;
            session = CompletableFuture.runAsync(() -> started.fit(startedFeed), runnable -> {
                Thread thread = new Thread(runnable, "repzoo parallel-wrapper");
                thread.setDaemon(true);
                thread.start();
            });
        }
        try {
            feed.submitAndAwait(shards, session);
        } catch (IllegalStateException e) {
            failed = true;
            throw e;
        }
    }

    @Override
    public void close() {
        if (session == null) {
            return;
        }
        try {
            if (feed.end(TimeUnit.SECONDS.toMillis(END_TIMEOUT_SECONDS))) {
                session.get(END_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            if (!failed) { // else fit has reported it already
                throw new IllegalStateException("ParallelWrapper failed: " + e.getCause().getMessage(), e.getCause());
            }
        } catch (TimeoutException e) {
            throw new IllegalStateException("ParallelWrapper did not stop within " + END_TIMEOUT_SECONDS + " s", e);
        } finally {
            wrapper.shutdown();
            session = null;
            feed = null;
            wrapper = null;
            failed = false;
        }
    }
}

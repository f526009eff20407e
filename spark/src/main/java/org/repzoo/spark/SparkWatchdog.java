package org.repzoo.spark;

import java.time.Duration;
import java.util.Comparator;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.scheduler.AccumulableInfo;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerExecutorMetricsUpdate;
import org.apache.spark.scheduler.SparkListenerJobEnd;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerStageSubmitted;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.scheduler.SparkListenerTaskStart;
import org.apache.spark.scheduler.TaskInfo;
import org.apache.spark.util.LongAccumulator;
import scala.Tuple4;
import scala.collection.Seq;

/**
 * Ends the Spark jobs of one piece of work when they stop making progress, so that no RepZoo Spark path can wait
 * forever (DL4J's gradient sharing could: {@link SharedTrainingGate}).
 *
 * <p>Progress is anything that shows the work moving: a job, stage or task starting or ending, or a unit of work
 * counted on an executor into {@link #progress()} (a minibatch trained, an image evaluated), which Spark
 * reports from running tasks with each executor heartbeat ({@code spark.executor.heartbeatInterval}, 10 s by
 * default). While one of the work's jobs runs and nothing has moved for the stall timeout, the watchdog cancels the
 * jobs (interrupting their task threads) and remembers what they were waiting for; the caller then gets {@link
 * #failure} as a {@link SparkStallException} naming the stage, the task, its executor and how long it ran. The
 * timeout must exceed the longest step that counts nothing: one minibatch in gradient sharing, one averaging period
 * in parameter averaging (its tasks count only when they end), one evaluation batch, and an executor's start.
 *
 * <p>Jobs are told apart by the job group that {@link #start} sets on the calling thread, which DL4J's training
 * masters and RepZoo's evaluation submit their jobs from.
 */
public final class SparkWatchdog implements AutoCloseable {

    /** How long a job may make no progress before it is ended, unless the caller chooses (10 minutes). */
    public static final Duration DEFAULT_STALL_TIMEOUT = Duration.ofMinutes(10);

    private final JavaSparkContext spark;
    private final String group;
    private final Duration timeout;
    private final LongAccumulator progress;
    private final Listener listener;
    private final ScheduledExecutorService checker;
    private volatile String phase;
    private volatile String stalled;

    private SparkWatchdog(JavaSparkContext spark, String phase, String unit, Duration timeout) {
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("the stall timeout must be positive, got " + timeout.toSeconds()
                    + " s");
        }
        this.spark = spark;
        this.group = "repzoo-" + UUID.randomUUID();
        this.timeout = timeout;
        this.phase = phase;
        this.progress = spark.sc().longAccumulator("repzoo progress");
        this.listener = new Listener(group, progress.id(), unit);
        spark.sc().addSparkListener(listener);
        spark.setJobGroup(group, phase, true);
        this.checker = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "repzoo-spark-watchdog");
            thread.setDaemon(true);
            return thread;
        });
        long period = Math.max(50, Math.min(1000, timeout.toMillis() / 10));
        checker.scheduleWithFixedDelay(this::check, period, period, TimeUnit.MILLISECONDS);
    }

    /**
     * Watches the jobs this thread submits from now until {@link #close}; {@code phase} names the work in messages
     * ("evaluation", "epoch 3 of 10"), {@code unit} what executors count ("minibatches").
     */
    public static SparkWatchdog start(JavaSparkContext spark, String phase, String unit, Duration stallTimeout) {
        return new SparkWatchdog(spark, phase, unit, stallTimeout);
    }

    /** What executors add to as they work (one per unit); pass it into the functions the jobs run. */
    public LongAccumulator progress() {
        return progress;
    }

    /** Names the work that follows, for the jobs' description and a stall's message. */
    public void phase(String name) {
        phase = name;
        spark.setJobGroup(group, name, true);
    }

    /** The job group of the watched jobs (a listener of the caller's can tell them apart by it). */
    String group() {
        return group;
    }

    /** What the cancelled jobs waited for, if the watchdog ended them. */
    public Optional<String> stalled() {
        return Optional.ofNullable(stalled);
    }

    /**
     * The exception for a job that failed with {@code failure}: a {@link SparkStallException} if the watchdog ended it,
     * else empty (the failure is the job's own).
     */
    public Optional<SparkStallException> failure(Exception failure) {
        String reason = stalled;
        return reason == null ? Optional.empty() : Optional.of(new SparkStallException(reason, failure));
    }

    @Override
    public void close() {
        checker.shutdownNow();
        spark.clearJobGroup();
        spark.sc().removeSparkListener(listener);
    }

    private void check() {
        if (stalled != null || listener.jobs.isEmpty()) {
            return;
        }
        long now = System.currentTimeMillis();
        long quiet = now - listener.lastProgress;
        if (quiet < timeout.toMillis()) {
            return;
        }
        stalled = String.format(Locale.ROOT, "%s made no progress for %d s (the stall timeout): %s", phase,
                quiet / 1000, listener.waitingFor(now));
        spark.sc().cancelJobGroup(group);
    }

    /** Follows the group's jobs, stages and tasks, and the progress running tasks report. */
    private static final class Listener extends SparkListener {

        private final String group;
        private final long progressId;
        private final String unit;
        private final Set<Integer> jobs = ConcurrentHashMap.newKeySet();
        private final Set<Integer> stages = ConcurrentHashMap.newKeySet();
        private final Map<Integer, Integer> tasksPerStage = new ConcurrentHashMap<>();
        private final Map<Integer, AtomicInteger> tasksDone = new ConcurrentHashMap<>();
        private final Map<Long, Running> running = new ConcurrentHashMap<>();
        private volatile long lastProgress = System.currentTimeMillis();

        Listener(String group, long progressId, String unit) {
            this.group = group;
            this.progressId = progressId;
            this.unit = unit;
        }

        private void moved() {
            lastProgress = System.currentTimeMillis();
        }

        @Override
        public void onJobStart(SparkListenerJobStart start) {
            if (start.properties() != null && group.equals(start.properties().getProperty("spark.jobGroup.id"))) {
                jobs.add(start.jobId());
                scala.collection.Iterator<Object> ids = start.stageIds().iterator();
                while (ids.hasNext()) {
                    stages.add((Integer) ids.next());
                }
                moved();
            }
        }

        @Override
        public void onJobEnd(SparkListenerJobEnd end) {
            if (jobs.remove(end.jobId())) {
                moved();
            }
        }

        @Override
        public void onStageSubmitted(SparkListenerStageSubmitted submitted) {
            int stage = submitted.stageInfo().stageId();
            if (stages.contains(stage)) {
                tasksPerStage.put(stage, submitted.stageInfo().numTasks());
                moved();
            }
        }

        @Override
        public void onTaskStart(SparkListenerTaskStart start) {
            if (stages.contains(start.stageId())) {
                running.put(start.taskInfo().taskId(), new Running(start.stageId(), start.taskInfo()));
                moved();
            }
        }

        @Override
        public void onTaskEnd(SparkListenerTaskEnd end) {
            if (stages.contains(end.stageId())) {
                running.remove(end.taskInfo().taskId());
                if (end.taskInfo().successful()) {
                    tasksDone.computeIfAbsent(end.stageId(), stage -> new AtomicInteger()).incrementAndGet();
                }
                moved();
            }
        }

        @Override
        public void onExecutorMetricsUpdate(SparkListenerExecutorMetricsUpdate update) {
            scala.collection.Iterator<Tuple4<Object, Object, Object, Seq<AccumulableInfo>>> tasks =
                    update.accumUpdates().iterator();
            while (tasks.hasNext()) {
                Tuple4<Object, Object, Object, Seq<AccumulableInfo>> task = tasks.next();
                Running state = running.get((Long) task._1());
                if (state == null) {
                    continue;
                }
                scala.collection.Iterator<AccumulableInfo> infos = task._4().iterator();
                while (infos.hasNext()) {
                    AccumulableInfo info = infos.next();
                    if (info.id() == progressId && info.update().isDefined()
                            && info.update().get() instanceof Long count && count > state.counted) {
                        state.counted = count;
                        state.lastProgress = System.currentTimeMillis();
                        moved();
                    }
                }
            }
        }

        /** The part of the work that did not move, in words. */
        String waitingFor(long now) {
            Optional<Running> oldest = running.values().stream()
                    .min(Comparator.comparingLong(task -> task.lastProgress));
            if (oldest.isEmpty()) {
                return "no task is running: no executor took the work (is the master reachable, with workers that "
                        + "have free cores and memory?)";
            }
            Running task = oldest.get();
            int stage = task.stage;
            int total = tasksPerStage.getOrDefault(stage, 0);
            int done = tasksDone.getOrDefault(stage, new AtomicInteger()).get();
            TaskInfo info = task.info;
            return String.format(Locale.ROOT, "stage %d waited for %d of its %d tasks; task %d (partition %d, attempt "
                            + "%d) on executor %s (%s) ran %d s, its last progress %s", stage, total - done, total,
                    info.taskId(), info.index(), info.attemptNumber(), info.executorId(), info.host(),
                    (now - info.launchTime()) / 1000, task.counted == 0 ? "never (no " + unit + " done)"
                            : (now - task.lastProgress) / 1000 + " s ago, after " + task.counted + " " + unit);
        }
    }

    /** A running task of the group's stages and the progress its heartbeats reported. */
    private static final class Running {
        final int stage;
        final TaskInfo info;
        volatile long counted;
        volatile long lastProgress;

        Running(int stage, TaskInfo info) {
            this.stage = stage;
            this.info = info;
            this.lastProgress = info.launchTime();
        }
    }
}

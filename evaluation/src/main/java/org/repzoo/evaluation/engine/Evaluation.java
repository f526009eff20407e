package org.repzoo.evaluation.engine;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.repzoo.evaluation.data.BadInput;
import org.repzoo.evaluation.data.BadInputException;
import org.repzoo.evaluation.data.Dataset;
import org.repzoo.evaluation.data.Sample;
import org.repzoo.evaluation.data.Selection;
import org.repzoo.evaluation.image.ImageFileException;
import org.repzoo.evaluation.image.RgbImage;
import org.repzoo.evaluation.metrics.Accuracy;
import org.repzoo.evaluation.metrics.Ranking;
import org.repzoo.evaluation.metrics.Softmax;
import org.repzoo.evaluation.protocol.Protocol;
import org.repzoo.zoo.core.EvalPreset;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Evaluates one model or an ensemble under one or more protocols in a single pass over the data.
 *
 * <p>Workers ({@link Prefetcher}) decode each image and cut the distinct views of all protocols ({@link ViewPlan},
 * {@link Patches}); the calling thread batches them through every model ({@link ViewBatcher}) and, as each image
 * completes, combines its scores per protocol (docs/PROTOCOLS.md P6, §7.4): the protocol's weighted sum of per-view
 * soft-max posteriors, averaged over the models (§1.6); for one view and one model the logits themselves. Top-1
 * and top-5 follow the stable order of §5.4 ({@link Ranking}).
 */
public final class Evaluation {

    private static final Logger LOG = LoggerFactory.getLogger(Evaluation.class);

    /** How many bad inputs and NaN images the result lists by path (all are counted). */
    public static final int LISTED = 1000;

    /** Told the number of images done (evaluated or skipped) after each. */
    @FunctionalInterface
    public interface Progress {
        void imagesDone(long done, long total);
    }

    /** Told every image's final scores per protocol (the ranked vector: posteriors, or logits for one view). */
    @FunctionalInterface
    public interface Scores {
        void scored(Sample sample, int protocol, double[] scores);
    }

    /**
     * What to evaluate.
     *
     * @param members     the model, or the models of an ensemble (same crop, resize and interpolation)
     * @param dataset     the labelled images
     * @param selection   shard and limit
     * @param protocols   the protocols, in the order reported
     * @param options     batch size, threads, bad-input policy
     * @param predictions the CSV to write per-image predictions to, or null
     */
    public record Setup(List<Member> members, Dataset dataset, Selection selection, List<Protocol> protocols,
                        EvaluationOptions options, Path predictions) {

        public Setup {
            members = List.copyOf(members);
            protocols = List.copyOf(protocols);
            if (members.isEmpty() || protocols.isEmpty()) {
                throw new IllegalArgumentException("an evaluation needs at least one model and one protocol");
            }
        }
    }

    private final Setup setup;
    private final Scores listener;
    private final EvalPreset geometry;
    private final int classes;
    private final List<Accuracy> accuracies = new ArrayList<>();
    private final List<BadInput> bad = new ArrayList<>();
    private final List<String> nanImages = new ArrayList<>();
    private long badCount;
    private long nanCount;
    private long upscaled;
    private long images;
    private long prepareNanos;

    private Evaluation(Setup setup, Scores listener) {
        this.setup = setup;
        this.listener = listener;
        this.geometry = setup.members().get(0).preset();
        this.classes = setup.members().get(0).classes();
        for (Member member : setup.members()) {
            EvalPreset preset = member.preset();
            if (preset.cropSize() != geometry.cropSize() || preset.resizeSize() != geometry.resizeSize()
                    || preset.interpolation() != geometry.interpolation()) {
                throw new IllegalArgumentException("ensemble members must share resize, crop and interpolation: "
                        + member.name() + " has " + describe(preset) + ", " + setup.members().get(0).name() + " has "
                        + describe(geometry));
            }
            if (member.classes() != classes) {
                throw new IllegalArgumentException("ensemble members must score the same classes: " + member.name()
                        + " has " + member.classes() + ", " + setup.members().get(0).name() + " has " + classes);
            }
        }
        int datasetClasses = setup.dataset().classNames().size();
        if (datasetClasses > classes) {
            throw new IllegalArgumentException("the dataset has " + datasetClasses + " classes but the model scores "
                    + classes);
        }
        for (Protocol protocol : setup.protocols()) {
            if (protocol.crop() < geometry.cropSize()) {
                throw new IllegalArgumentException(protocol.name() + " crops " + protocol.crop() + " but the model "
                        + "expects " + geometry.cropSize());
            }
            accuracies.add(new Accuracy(datasetClasses));
        }
        if (setup.protocols().stream().anyMatch(Protocol::needsFullyConvolutional)) {
            // Built before the clock starts, so that the conversion is not counted as model time.
            setup.members().forEach(Member::fullyConvolutional);
        }
    }

    private static String describe(EvalPreset preset) {
        return "resize " + preset.resizeSize() + ", crop " + preset.cropSize() + ", " + preset.interpolation();
    }

    /** Runs the evaluation; stops at the first bad input unless the options say to skip them. */
    public static EvaluationResult run(Setup setup, Progress progress) throws IOException {
        return new Evaluation(setup, (sample, protocol, scores) -> { }).run(progress);
    }

    /** The same, telling {@code listener} each image's scores. */
    public static EvaluationResult run(Setup setup, Progress progress, Scores listener) throws IOException {
        return new Evaluation(setup, listener).run(progress);
    }

    private EvaluationResult run(Progress progress) throws IOException {
        for (BadInput problem : setup.dataset().problems()) {
            reportBad(problem);
        }
        List<Sample> samples = setup.selection().apply(setup.dataset().samples());
        long total = samples.size();
        long done = 0;
        long start = System.nanoTime();
        ViewBatcher batcher = new ViewBatcher(setup.members(), setup.options().batchSize());
        Deque<ImageScores> pending = new ArrayDeque<>();
        long waitNanos;
        try (PredictionsWriter predictions = setup.predictions() == null ? null
                : new PredictionsWriter(setup.predictions());
             Prefetcher<Sample, Prepared> prefetcher = new Prefetcher<>(samples, this::prepare,
                     setup.options().workers(), window())) {
            Prepared prepared;
            while ((prepared = next(prefetcher)) != null) {
                prepareNanos += prepared.prepareNanos();
                if (prepared.problem() != null) {
                    reportBad(prepared.problem());
                    progress.imagesDone(++done, total);
                    continue;
                }
                if (prepared.upscaled()) {
                    upscaled++;
                }
                ImageScores scores = new ImageScores(prepared, setup.members().size(), classes);
                pending.add(scores);
                batcher.add(scores);
                done += finish(pending, predictions, done, total, progress);
            }
            batcher.flush();
            done += finish(pending, predictions, done, total, progress);
            waitNanos = prefetcher.waitNanos();
        }
        if (!pending.isEmpty()) {
            throw new IllegalStateException(pending.size() + " images left unscored");
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        List<ProtocolResult> results = new ArrayList<>();
        for (int p = 0; p < setup.protocols().size(); p++) {
            Protocol protocol = setup.protocols().get(p);
            results.add(new ProtocolResult(protocol, accuracies.get(p),
                    images * protocol.viewsPerImage() * setup.members().size()));
        }
        Timings timings = new Timings(seconds, batcher.modelNanos() / 1e9, waitNanos / 1e9,
                batcher.batchingNanos() / 1e9, prepareNanos / 1e9);
        return new EvaluationResult(results, images, batcher.viewsRun(), List.copyOf(bad), badCount,
                List.copyOf(nanImages), nanCount, upscaled, timings);
    }

    /**
     * The images prepared ahead: the options' window plus the images of one batch, so that the workers can prepare
     * the next batch while the model runs this one. With the window alone (4 images for one worker) the model waited
     * after every batch for the rest of the next to be decoded: 12 of 16 images, 13% of ResNet-50's time on ONNX
     * Runtime under the single protocol (docs/EVALUATION.md).
     */
    private int window() {
        int views = setup.protocols().stream().mapToInt(Protocol::viewsPerImage).sum();
        int batchImages = (setup.options().batchSize() + views - 1) / Math.max(1, views);
        return setup.options().window() + batchImages;
    }

    private static Prepared next(Prefetcher<Sample, Prepared> prefetcher) throws IOException {
        try {
            return prefetcher.next();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("evaluation interrupted");
        }
    }

    /** Worker side: decode, check, cut every view. Decoding problems become bad inputs, not exceptions. */
    private Prepared prepare(Sample sample) {
        long start = System.nanoTime();
        RgbImage image;
        try {
            image = sample.image().read();
        } catch (ImageFileException e) {
            return Prepared.bad(sample, new BadInput(sample.path(), problem(e)), System.nanoTime() - start);
        }
        int crop = geometry.cropSize();
        boolean small = Math.min(image.width(), image.height()) < crop;
        if (small && setup.options().smallImages() == EvaluationOptions.SmallImages.REFUSE) {
            return Prepared.bad(sample, new BadInput(sample.path(), "image " + image.width() + "x" + image.height()
                    + " is smaller than the " + crop + " crop (refused; upscaling it, as torchvision does, is the"
                    + " default)"), System.nanoTime() - start);
        }
        ViewPlan plan = ViewPlan.of(setup.protocols(), image.width(), image.height());
        RgbImage[] patches = Patches.cut(image, plan.views(), geometry.interpolation());
        return new Prepared(sample, plan, patches, null, small, System.nanoTime() - start);
    }

    /** The decoder's message without the path it starts with (the report puts the path in its own field). */
    private static String problem(ImageFileException e) {
        String message = e.getMessage();
        String prefix = e.file() + ": ";
        return message.startsWith(prefix) ? message.substring(prefix.length()) : message;
    }

    private void reportBad(BadInput problem) throws BadInputException {
        if (setup.options().badInputs() == EvaluationOptions.BadInputs.STOP) {
            throw BadInputException.skippable(problem);
        }
        badCount++;
        if (bad.size() < LISTED) {
            bad.add(problem);
        }
    }

    /** Scores the completed images at the head of the queue, in order; returns how many. */
    private int finish(Deque<ImageScores> pending, PredictionsWriter predictions, long done, long total,
                       Progress progress) throws IOException {
        int finished = 0;
        while (!pending.isEmpty() && pending.peekFirst().complete()) {
            ImageScores image = pending.removeFirst();
            score(image, predictions);
            finished++;
            progress.imagesDone(done + finished, total);
        }
        return finished;
    }

    private void score(ImageScores image, PredictionsWriter predictions) throws IOException {
        Sample sample = image.prepared.sample();
        ViewPlan plan = image.prepared.plan();
        int models = setup.members().size();
        boolean nan = false;
        for (int p = 0; p < setup.protocols().size(); p++) {
            int[] views = plan.indices(p);
            double[] weights = plan.weights(p);
            double[] scores = new double[classes];
            if (views.length == 1 && models == 1) {
                // One view: rank the logits (P6), free of soft-max saturation ties.
                for (int c = 0; c < classes; c++) {
                    scores[c] = image.logits[0][views[0] * classes + c];
                }
            } else {
                for (int m = 0; m < models; m++) {
                    for (int v = 0; v < views.length; v++) {
                        Softmax.addWeighted(image.logits[m], views[v] * classes, classes, weights[v] / models, scores);
                    }
                }
            }
            nan |= Ranking.hasNaN(scores);
            listener.scored(sample, p, scores);
            int[] top = accuracies.get(p).add(scores, sample.label());
            if (predictions != null) {
                predictions.write(sample.path(), sample.label(), setup.protocols().get(p).name(), top);
            }
        }
        images++;
        if (nan) {
            LOG.warn("{}: NaN in the scores; NaN ranked last, the image counted", sample.path());
            nanCount++;
            if (nanImages.size() < LISTED) {
                nanImages.add(sample.path());
            }
        }
    }
}

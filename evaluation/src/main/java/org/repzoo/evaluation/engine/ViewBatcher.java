package org.repzoo.evaluation.engine;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.repzoo.evaluation.image.Preprocessing;
import org.repzoo.evaluation.image.RgbImage;
import org.repzoo.evaluation.model.ImageModel;
import org.repzoo.evaluation.protocol.View;

/**
 * The model thread's side: collects classifier views (all of the crop size) from consecutive images into batches of
 * {@code batchSize}, and runs each image's whole-image views (dense evaluation, sizes differ per image) as batches of
 * the views that share a size. Each batch is normalised with every model's own preset and run through every model.
 */
final class ViewBatcher {

    private record Slot(ImageScores image, int view) {
    }

    private final List<Member> members;
    private final int batchSize;
    private final List<Slot> queue = new ArrayList<>();
    private long modelNanos;
    private long batchingNanos;
    private long viewsRun;

    ViewBatcher(List<Member> members, int batchSize) {
        this.members = members;
        this.batchSize = batchSize;
    }

    /** Queues the image's classifier views (running full batches) and runs its whole-image views now. */
    void add(ImageScores image) {
        List<View> views = image.prepared.plan().views();
        Map<String, List<Slot>> wholeBySize = new LinkedHashMap<>();
        for (int v = 0; v < views.size(); v++) {
            View view = views.get(v);
            if (view.network() == View.Network.CLASSIFIER) {
                queue.add(new Slot(image, v));
                if (queue.size() == batchSize) {
                    flush();
                }
            } else {
                wholeBySize.computeIfAbsent(view.patchWidth() + "x" + view.patchHeight(), k -> new ArrayList<>())
                        .add(new Slot(image, v));
            }
        }
        for (List<Slot> slots : wholeBySize.values()) {
            run(slots, View.Network.FULLY_CONVOLUTIONAL);
        }
    }

    /** Runs the queued classifier views. */
    void flush() {
        if (!queue.isEmpty()) {
            run(queue, View.Network.CLASSIFIER);
            queue.clear();
        }
    }

    private void run(List<Slot> slots, View.Network network) {
        RgbImage first = slots.get(0).image().prepared.patches()[slots.get(0).view()];
        int width = first.width();
        int height = first.height();
        for (int m = 0; m < members.size(); m++) {
            Member member = members.get(m);
            long start = System.nanoTime();
            int channels = member.preset().channels();
            float[] data = new float[slots.size() * channels * width * height];
            for (int i = 0; i < slots.size(); i++) {
                Slot slot = slots.get(i);
                float[] chw = Preprocessing.toTensor(slot.image().prepared.patches()[slot.view()], member.preset());
                System.arraycopy(chw, 0, data, i * chw.length, chw.length);
            }
            long ready = System.nanoTime();
            batchingNanos += ready - start;
            ImageModel model = network == View.Network.CLASSIFIER ? member.classifier() : member.fullyConvolutional();
            float[] logits = model.logits(data, slots.size(), channels, height, width);
            modelNanos += System.nanoTime() - ready;
            if (logits.length % slots.size() != 0) {
                throw new IllegalStateException("model " + member.name() + " returned " + logits.length
                        + " logits for " + slots.size() + " views");
            }
            int classes = logits.length / slots.size();
            for (int i = 0; i < slots.size(); i++) {
                Slot slot = slots.get(i);
                System.arraycopy(logits, i * classes, slot.image().logits[m], slot.view() * classes, classes);
            }
            viewsRun += slots.size();
        }
        for (Slot slot : slots) {
            slot.image().viewDone(slot.view());
        }
    }

    long modelNanos() {
        return modelNanos;
    }

    long batchingNanos() {
        return batchingNanos;
    }

    long viewsRun() {
        return viewsRun;
    }
}

package org.repzoo.training.engine;

import java.awt.Color;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;
import org.repzoo.zoo.core.AtomicFiles;

/**
 * The PNG of a run: training loss per logged iteration and validation loss per epoch (left axis), validation top-1
 * accuracy per epoch (right axis), against epochs.
 */
public final class TrainingCurve {

    private TrainingCurve() {
    }

    public static void write(TrainingLog log, int batchesPerEpoch, Path file) throws IOException {
        XYChart chart = new XYChartBuilder().width(900).height(500).title("training " + log.architecture())
                .xAxisTitle("epoch").build();
        chart.getStyler().setChartBackgroundColor(Color.WHITE).setLegendPosition(
                org.knowm.xchart.style.Styler.LegendPosition.InsideNE);
        chart.setYAxisGroupTitle(0, "loss");
        chart.setYAxisGroupTitle(1, "validation top-1 (%)");
        if (!log.iterations().isEmpty()) {
            XYSeries train = chart.addSeries("training loss",
                    log.iterations().stream().mapToDouble(i -> (double) i.iteration() / batchesPerEpoch).toArray(),
                    log.iterations().stream().mapToDouble(IterationRecord::loss).toArray());
            train.setMarker(SeriesMarkers.NONE);
        }
        List<EpochRecord> epochs = log.epochs();
        if (!epochs.isEmpty()) {
            double[] x = epochs.stream().mapToDouble(EpochRecord::epoch).toArray();
            chart.addSeries("validation loss", x, epochs.stream().mapToDouble(EpochRecord::validationLoss).toArray());
            XYSeries top1 = chart.addSeries("validation top-1", x,
                    epochs.stream().mapToDouble(e -> 100 * e.top1()).toArray());
            top1.setYAxisGroup(1);
        }
        byte[] png = BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
        AtomicFiles.write(file, temp -> Files.write(temp, png));
    }
}

package org.repzoo.spark;

import java.io.Serializable;
import org.apache.spark.broadcast.Broadcast;

/**
 * One model of the evaluation as executors see it: the zip's bytes, broadcast once to every executor (no shared file
 * system needed), and the preset the driver settled on (the command line may override the zip's).
 *
 * @param fileName the zip's file name (the report's name for the model)
 * @param zip      the zip's bytes
 * @param preset   its evaluation preset
 */
record ShippedModel(String fileName, Broadcast<byte[]> zip, ShippedPreset preset) implements Serializable {
}

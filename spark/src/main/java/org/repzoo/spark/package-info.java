/**
 * RepZoo on Apache Spark: the evaluation protocols over a dataset split across Spark tasks, merged into the report a
 * single-machine run gives ({@link org.repzoo.spark.SparkEvaluation}), and the training recipes with DL4J's
 * parameter-averaging and gradient-sharing training masters ({@link org.repzoo.spark.SparkTraining}). Spark's local
 * mode is the default, so all of it runs on one machine; see docs/DISTRIBUTED.md for clusters.
 */
package org.repzoo.spark;

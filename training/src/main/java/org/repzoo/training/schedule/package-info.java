/**
 * Learning-rate schedules DL4J lacks, as JSON-serialisable {@link org.nd4j.linalg.schedule.ISchedule}s so they travel
 * inside a saved configuration: cosine annealing, multi-step decay at given epochs, linear warm-up, and the
 * validation-driven plateau decay. DL4J's own {@code StepSchedule} already covers the periodic decays (Inception v3's
 * 0.94 every 2 epochs, GoogLeNet's 4% every 8).
 */
package org.repzoo.training.schedule;

/**
 * Crash-safe training checkpoints: weights, updater state, counters, random state and data order in one zip written
 * atomically, so a run killed at any moment resumes to the same final weights as one never interrupted.
 */
package org.repzoo.training.checkpoint;

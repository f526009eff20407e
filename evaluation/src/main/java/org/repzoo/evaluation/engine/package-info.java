/**
 * The evaluation engine: worker threads decode images and cut every protocol's views ahead of the model (a bounded,
 * ordered window, so memory stays flat however many images there are); the model thread batches the views through
 * each model of the ensemble, combines posteriors per protocol and counts top-1/top-5. {@link
 * org.repzoo.evaluation.engine.Evaluation} is the entry point, {@link org.repzoo.evaluation.engine.Report} the JSON
 * report.
 */
package org.repzoo.evaluation.engine;

/**
 * RepZoo's data as DL4J reads data: a {@code DataSetIterator} (and a {@code MultiDataSetIterator} with one label array
 * per graph output, for auxiliary heads) over any dataset RepZoo reads, in the model's evaluation view or a recipe's
 * augmentation and data order, and a DataVec {@code RecordReader} of the same examples. One pipeline builds them all:
 * the training module's {@link org.repzoo.training.data.BatchLoader}, which decodes on worker threads. Start from
 * {@link org.repzoo.training.iterator.RepZooIterators}; to train with DL4J's {@code fit} as {@code repzoo train}
 * trains, set the graph up with {@link org.repzoo.training.engine.TrainingGraph#forFit}.
 */
package org.repzoo.training.iterator;

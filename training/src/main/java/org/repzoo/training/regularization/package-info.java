/** Regularisation DL4J cannot express per parameter: RepVGG's L2 on each block's equivalent kernel. */
package org.repzoo.training.regularization;

/** PyTorch weights in and out: state_dict key mapping and loading (formats arrive with the import command). */
package org.repzoo.zoo.weights;

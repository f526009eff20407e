/** Network-in-Network: mlpconv blocks as data, one builder, Caffe layer names. */
package org.repzoo.zoo.nin;

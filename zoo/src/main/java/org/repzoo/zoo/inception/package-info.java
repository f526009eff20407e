/**
 * GoogLeNet (Inception v1, torchvision's and the paper's) and Inception v3: module tables as data, one builder per
 * architecture, auxiliary classifiers as extra network outputs, and torchvision's {@code transform_input}.
 */
package org.repzoo.zoo.inception;

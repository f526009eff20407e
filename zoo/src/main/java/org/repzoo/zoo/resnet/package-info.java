/** ResNet and Wide ResNet as torchvision builds them: stage depths and widths as data, one builder. */
package org.repzoo.zoo.resnet;

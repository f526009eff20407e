/**
 * ResNet, Wide ResNet and ResNeXt as torchvision builds them, SE-ResNet and SE-ResNeXt as timm does: stage depths,
 * widths, groups and attention as data, one builder.
 */
package org.repzoo.zoo.resnet;

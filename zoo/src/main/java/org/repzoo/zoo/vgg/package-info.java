/** VGG: the configurations of Simonyan &amp; Zisserman's Table 1 as data, one builder. */
package org.repzoo.zoo.vgg;
